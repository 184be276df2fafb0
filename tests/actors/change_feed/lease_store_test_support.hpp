#pragma once

// Asking a lease store from a scoped_actor and waiting for the answer.

#include "actors/change_feed/lease_store_actor.hpp"
#include "clients/error.hpp"

#include <caf/scoped_actor.hpp>

#include <chrono>
#include <utility>

namespace bulkd::test {

template <class T, class... Ts>
caf::expected<T> ask(caf::scoped_actor& self, const lease_store_actor& store, Ts&&... xs) {
  caf::expected<T> out = make_error(ec::timeout, "no answer from the lease store");
  self->request(store, std::chrono::seconds{60}, std::forward<Ts>(xs)...)
      .receive([&](T& x) { out = std::move(x); }, [&](caf::error& err) { out = std::move(err); });
  return out;
}

inline const lease* by_token(const std::vector<lease>& xs, const std::string& token) {
  for (auto& l : xs)
    if (l.range.token == token)
      return &l;
  return nullptr;
}

} // namespace bulkd::test
