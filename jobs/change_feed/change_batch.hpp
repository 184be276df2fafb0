#pragma once

// A page of changes read from one feed range, on its way to a sink. The continuation is what gets
// checkpointed once the sink has acknowledged the batch (at-least-once: never before).

#include <caf/detail/scope_guard.hpp>
#include <caf/meta/type_name.hpp>
#include <caf/optional.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

namespace bulkd {

struct change_batch {
  std::string job;
  std::string range_id;               // the pkrange id the page was read from
  std::string continuation;           // the page's etag: If-None-Match of the next read
  std::vector<std::string> documents; // compact JSON text of each change, in feed order
  std::optional<int64_t> session_lsn; // the range's LSN when the page was read (lag)
  std::optional<int64_t> last_ts;     // "_ts" of the last document, seconds since the epoch
  uint64_t sequence = 0;              // per range, increasing: sinks may use it to detect replays

  friend bool operator==(const change_batch&, const change_batch&) = default;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, change_batch& x) {
  return f(caf::meta::type_name("change_batch"), x.job, x.range_id, x.continuation, x.documents,
           x.session_lsn, x.last_ts, x.sequence);
}

} // namespace bulkd

namespace caf {

// CAF 0.17 inspects caf::optional but not std::optional: without these, a message holding a
// change_batch does not compile. Found by ADL through the inspector (namespace caf), the same way
// as CAF's own overloads for caf::optional.

template <class Inspector, class T>
typename std::enable_if<Inspector::reads_state, typename Inspector::result_type>::type
inspect(Inspector& f, std::optional<T>& x) {
  return x ? f(true, *x) : f(false);
}

template <class Inspector, class T>
typename std::enable_if<Inspector::writes_state, typename Inspector::result_type>::type
inspect(Inspector& f, std::optional<T>& x) {
  bool present = false;
  T value{};
  optional_inspect_helper<T> helper{present, value};
  auto guard = detail::make_scope_guard([&] {
    if (present)
      x = std::move(value);
    else
      x.reset();
  });
  return f(present, helper);
}

} // namespace caf
