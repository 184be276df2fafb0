#include "actors/change_feed/file_lease_store_actor.hpp"

#include "actors/exception_handler.hpp"
#include "clients/error.hpp"
#include "jobs/change_feed/lease_file.hpp"
#include "jobs/change_feed/lease_update.hpp"

#include <caf/actor_system.hpp>
#include <caf/local_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_event_based_actor.hpp>

#include <algorithm>
#include <optional>

namespace bulkd {

namespace {

struct file_lease_store_state {
  file_lease_store_config cfg;
  std::optional<lease_file> content; // loaded on the first request
};

using store_ptr = lease_store_actor::stateful_pointer<file_lease_store_state>;

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

lease* find(lease_file& f, const std::string& token) {
  auto i = std::find_if(f.leases.begin(), f.leases.end(),
                        [&](const lease& l) { return l.range.token == token; });
  return i == f.leases.end() ? nullptr : &*i;
}

std::string next_etag(lease_file& f) {
  return std::to_string(++f.etag_counter);
}

// Writes `next` and makes it the state's content only when that succeeded.
caf::error commit(file_lease_store_state& st, lease_file next) {
  if (auto err = save_lease_file(st.cfg.file, next))
    return err;
  st.content = std::move(next);
  return caf::none;
}

// renew, checkpoint, release and (after the token check) acquire of one lease.
caf::expected<lease> change(file_lease_store_state& st, const lease& given, lease_change what,
                            const std::string& continuation = {}) {
  if (auto err = ensure_loaded(st))
    return err;
  auto next = *st.content;
  auto* current = find(next, given.range.token);
  if (current == nullptr)
    return lease_gone(given.range.token);
  if (what == lease_change::acquire && current->etag != given.etag) {
    if (current->owner == st.cfg.instance)
      return *current; // ours already (as the Cosmos store answers after a retried acquire)
    return acquire_conflict(*current);
  }
  auto changed = apply_change(*current, what, st.cfg.instance, now_of(st.cfg), continuation);
  if (!changed)
    return changed.error();
  changed->etag = next_etag(next);
  *current = *changed;
  if (auto err = commit(st, std::move(next)))
    return err;
  return changed;
}

std::vector<lease> sorted(std::vector<lease> xs) {
  std::sort(xs.begin(), xs.end(), [](const lease& a, const lease& b) {
    if (a.range.token.size() != b.range.token.size())
      return a.range.token.size() < b.range.token.size(); // "2" before "10"
    return a.range.token < b.range.token;
  });
  return xs;
}

lease_store_actor::behavior_type file_lease_store(store_ptr self, file_lease_store_config cfg) {
  install_exception_handler(self);
  self->state.cfg = std::move(cfg);
  return {
      [self](lease_list_atom) -> caf::result<std::vector<lease>> {
        auto& st = self->state;
        if (auto err = ensure_loaded(st))
          return err;
        return sorted(st.content->leases);
      },
      [self](lease_create_atom, const std::vector<lease_range>& ranges,
             const std::string& start_from) -> caf::result<std::vector<lease>> {
        auto& st = self->state;
        if (auto err = ensure_loaded(st))
          return err;
        auto missing = missing_ranges(st.content->leases, ranges);
        if (!missing.empty()) {
          auto next = *st.content;
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
          if (auto err = commit(st, std::move(next)))
            return err;
        }
        return sorted(st.content->leases);
      },
      [self](lease_acquire_atom, const lease& seen) -> caf::result<lease> {
        return change(self->state, seen, lease_change::acquire);
      },
      [self](lease_renew_atom, const lease& held) -> caf::result<lease> {
        return change(self->state, held, lease_change::renew);
      },
      [self](lease_checkpoint_atom, const lease& held,
             const std::string& continuation) -> caf::result<lease> {
        return change(self->state, held, lease_change::checkpoint, continuation);
      },
      [self](lease_release_atom, const lease& held) -> caf::result<lease> {
        return change(self->state, held, lease_change::release);
      },
      [self](lease_split_atom, const lease& parent,
             const std::vector<lease_range>& children) -> caf::result<std::vector<lease>> {
        auto& st = self->state;
        if (auto err = ensure_loaded(st))
          return err;
        auto next = *st.content;
        auto* current = find(next, parent.range.token);
        if (current == nullptr)
          return lease_gone(parent.range.token);
        if (current->owner != st.cfg.instance)
          return apply_change(*current, lease_change::renew, st.cfg.instance, now_of(st.cfg))
              .error();
        auto from = *current;
        auto now = now_of(st.cfg);
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
        if (auto err = commit(st, std::move(next)))
          return err;
        return out;
      },
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
