#include "actors/change_feed/file_lease_store_actor.hpp"

#include "actors/exception_handler.hpp"
#include "clients/error.hpp"
#include "jobs/change_feed/lease_file.hpp"
#include "jobs/change_feed/lease_update.hpp"

#include <caf/actor_system.hpp>
#include <caf/local_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>
#include <caf/typed_response_promise.hpp>

#include <algorithm>
#include <functional>
#include <optional>

namespace bulkd {

namespace {

using lease_flush_atom = caf::atom_constant<caf::atom("ls_flush")>;

using file_lease_store_impl = lease_store_actor::extend<caf::reacts_to<lease_flush_atom>>;

struct file_lease_store_state {
  file_lease_store_config cfg;
  std::optional<lease_file> content; // as on disk; loaded on the first request
  // Group commit: the changes of every request waiting in the mailbox are applied to `working`,
  // written once by the flush message that follows them, and only then answered.
  std::optional<lease_file> working;
  std::vector<std::function<void(const caf::error&)>> answers; // held until the write
  bool flush_sent = false;
};

using store_ptr = file_lease_store_impl::stateful_pointer<file_lease_store_state>;

utc_time now_of(const file_lease_store_config& cfg) {
  return cfg.clock ? cfg.clock() : lease_now();
}

caf::error ensure_loaded(file_lease_store_state& st) {
  if (st.content)
    return caf::none;
  auto loaded = load_lease_file(st.cfg.file);
  if (!loaded)
    return loaded.error(); // tried again on the next request
  st.content = std::move(*loaded);
  return caf::none;
}

// The leases as they will be once the pending changes are written.
const lease_file& current(const file_lease_store_state& st) {
  return st.working ? *st.working : *st.content;
}

// The leases to change; the changes become durable with the next flush.
lease_file& to_change(store_ptr self) {
  auto& st = self->state;
  if (!st.working)
    st.working = *st.content;
  if (!st.flush_sent) {
    st.flush_sent = true;
    self->send(self, lease_flush_atom::value);
  }
  return *st.working;
}

// Answers `value` once every change made so far is on disk (at once when none is pending).
template <class T>
caf::result<T> answer(store_ptr self, T value) {
  auto& st = self->state;
  if (!st.working)
    return value;
  auto promise = self->make_response_promise<T>();
  st.answers.emplace_back([promise, value = std::move(value)](const caf::error& err) mutable {
    if (err)
      promise.deliver(err);
    else
      promise.deliver(std::move(value));
  });
  return promise;
}

void flush(store_ptr self) {
  auto& st = self->state;
  st.flush_sent = false;
  caf::error err;
  if (st.working) {
    err = save_lease_file(st.cfg.file, *st.working);
    if (!err)
      st.content = std::move(*st.working);
    st.working.reset(); // on an error every change of the group is dropped and reported
  }
  auto answers = std::move(st.answers);
  st.answers.clear();
  for (auto& f : answers)
    f(err);
}

template <class LeaseFile> // lease_file or const lease_file
auto find(LeaseFile& f, const std::string& token) -> decltype(&f.leases.front()) {
  auto i = std::find_if(f.leases.begin(), f.leases.end(),
                        [&](const lease& l) { return l.range.token == token; });
  return i == f.leases.end() ? nullptr : &*i;
}

std::string next_etag(lease_file& f) {
  return std::to_string(++f.etag_counter);
}

// renew, checkpoint, release and (after the token check) acquire of one lease.
caf::result<lease> change(store_ptr self, const lease& given, lease_change what,
                          const std::string& continuation = {}) {
  auto& st = self->state;
  if (auto err = ensure_loaded(st))
    return err;
  auto* seen = find(current(st), given.range.token);
  if (seen == nullptr)
    return lease_gone(given.range.token);
  if (what == lease_change::acquire && seen->etag != given.etag) {
    if (seen->owner == st.cfg.instance)
      return answer(self, *seen); // ours already (as the Cosmos store answers a retried acquire)
    return acquire_conflict(*seen);
  }
  auto changed = apply_change(*seen, what, st.cfg.instance, now_of(st.cfg), continuation);
  if (!changed)
    return std::move(changed.error());
  auto& next = to_change(self);
  changed->etag = next_etag(next);
  *find(next, given.range.token) = *changed;
  return answer(self, std::move(*changed));
}

std::vector<lease> sorted(std::vector<lease> xs) {
  std::sort(xs.begin(), xs.end(), [](const lease& a, const lease& b) {
    if (a.range.token.size() != b.range.token.size())
      return a.range.token.size() < b.range.token.size(); // "2" before "10"
    return a.range.token < b.range.token;
  });
  return xs;
}

file_lease_store_impl::behavior_type file_lease_store(store_ptr self, file_lease_store_config cfg) {
  install_exception_handler(self);
  self->state.cfg = std::move(cfg);
  return {
      [self](lease_list_atom) -> caf::result<std::vector<lease>> {
        auto& st = self->state;
        if (auto err = ensure_loaded(st))
          return err;
        return answer(self, sorted(current(st).leases));
      },
      [self](lease_create_atom, const std::vector<lease_range>& ranges,
             const std::string& start_from) -> caf::result<std::vector<lease>> {
        auto& st = self->state;
        if (auto err = ensure_loaded(st))
          return err;
        auto missing = missing_ranges(current(st).leases, ranges);
        if (!missing.empty()) {
          auto& next = to_change(self);
          auto now = now_of(st.cfg);
          for (auto& range : missing) {
            lease l;
            l.id = lease_id(st.cfg.prefix, range.token);
            l.range = range;
            l.timestamp = now;
            l.start_from = start_from;
            l.etag = next_etag(next);
            next.leases.push_back(std::move(l));
          }
        }
        return answer(self, sorted(current(st).leases));
      },
      [self](lease_acquire_atom, const lease& seen) -> caf::result<lease> {
        return change(self, seen, lease_change::acquire);
      },
      [self](lease_renew_atom, const lease& held) -> caf::result<lease> {
        return change(self, held, lease_change::renew);
      },
      [self](lease_checkpoint_atom, const lease& held,
             const std::string& continuation) -> caf::result<lease> {
        return change(self, held, lease_change::checkpoint, continuation);
      },
      [self](lease_release_atom, const lease& held) -> caf::result<lease> {
        return change(self, held, lease_change::release);
      },
      [self](lease_split_atom, const lease& parent,
             const std::vector<lease_range>& children) -> caf::result<std::vector<lease>> {
        auto& st = self->state;
        if (auto err = ensure_loaded(st))
          return err;
        const auto* seen = find(current(st), parent.range.token);
        if (seen == nullptr)
          return lease_gone(parent.range.token);
        if (seen->owner != st.cfg.instance)
          return apply_change(*seen, lease_change::renew, st.cfg.instance, now_of(st.cfg)).error();
        auto from = *seen;
        auto now = now_of(st.cfg);
        auto& next = to_change(self);
        std::vector<lease> out;
        for (auto& range : children) {
          if (auto* existing = find(next, range.token)) {
            out.push_back(*existing);
            continue;
          }
          lease child;
          child.id = lease_id(st.cfg.prefix, range.token);
          child.range = range;
          child.owner = st.cfg.instance;
          child.continuation = from.continuation;
          child.timestamp = now;
          child.parent = from.range.token;
          child.start_from = from.start_from;
          child.etag = next_etag(next);
          next.leases.push_back(child);
          out.push_back(std::move(child));
        }
        std::erase_if(next.leases,
                      [&](const lease& l) { return l.range.token == from.range.token; });
        return answer(self, std::move(out));
      },
      [self](lease_flush_atom) { flush(self); },
  };
}

} // namespace

lease_store_actor spawn_file_lease_store(caf::actor_system& sys, file_lease_store_config config) {
  return sys.spawn<caf::detached>(file_lease_store, std::move(config));
}

lease_store_actor spawn_file_lease_store(caf::local_actor* parent, file_lease_store_config config) {
  return parent->spawn<caf::detached>(file_lease_store, std::move(config));
}

} // namespace bulkd
