#include "actors/change_feed/change_feed_job_actor.hpp"

#include "actors/backoff.hpp"
#include "actors/change_feed/cosmos_lease_store_actor.hpp"
#include "actors/change_feed/cosmos_sink_actor.hpp"
#include "actors/change_feed/file_lease_store_actor.hpp"
#include "actors/change_feed/http_sink_actor.hpp"
#include "actors/change_feed/jsonl_sink_actor.hpp"
#include "actors/change_feed/lease_store_actor.hpp"
#include "actors/change_feed/range_reader_actor.hpp"
#include "actors/change_feed/range_reader_messages.hpp"
#include "actors/cosmos_container_session.hpp"
#include "actors/exception_handler.hpp"
#include "clients/error.hpp"
#include "jobs/change_feed/feed_dead_letter.hpp"
#include "jobs/change_feed/lease_balancer.hpp"
#include "jobs/change_feed/lease_update.hpp"
#include "jobs/change_feed/start_position.hpp"
#include "jobs/dead_letter_writer.hpp"

#include <caf/actor_cast.hpp>
#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/exit_reason.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/system_messages.hpp>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>

namespace bulkd {

namespace {

using clock_type = std::chrono::steady_clock;
using std::chrono::milliseconds;

using feed_tick_atom = caf::atom_constant<caf::atom("cf_tick")>;

/// What happens to a range once its reader is down after we stopped it.
enum class after_stop { release, drop };

struct owned_range {
  lease held;               // the latest copy the store answered (its token for the next call)
  std::string continuation; // the last stored checkpoint; where a restarted reader goes on
  caf::actor reader;
  /// When the last successful acquire, renew or checkpoint of the lease was sent (fencing).
  clock_type::time_point confirmed;
  clock_type::time_point start_at;   // a stolen lease: not before the previous owner stopped
  clock_type::time_point restart_at; // a failed reader: not before its backoff ran out
  bool stopping = false;             // the reader was told to quit
  after_stop then = after_stop::release;
  bool lost = false; // someone else owns the lease now
  std::optional<range_gone> gone;
  bool splitting = false;
  uint32_t failures = 0; // reader failures since the last stored checkpoint
  uint64_t next_sequence = 1;
  bool renewing = false;
  range_lag lag;
  uint64_t delivered = 0;
};

struct feed_job_state {
  change_feed_job_config cfg;
  clock_type::time_point started = clock_type::now();
  std::shared_ptr<cosmos_container_session> session;
  std::optional<cosmos::routing_map> routing;
  std::string source_partition_key; // a cosmos sink creates a missing target with it
  lease_store_actor store;
  feed_sink_actor sink;
  std::optional<dead_letter_writer> dead_letters;
  std::map<std::string, owned_range> owned; // by lease token
  std::set<std::string> acquiring;          // tokens with an acquire under way
  std::set<std::string> live_instances;     // others seen holding a live lease
  duration fencing{};
  clock_type::time_point next_renew{};
  clock_type::time_point next_acquire{};
  clock_type::time_point stop_deadline{};
  /// The last status of ranges released at the end of the run (the final report shows them).
  std::map<std::string, feed_range_status> released;
  bool ready = false; // leases created, balancing may start
  bool balancing = false;
  bool stopping = false;
  bool finished = false;
  feed_report report;

  static inline const char* name = "change_feed_job";
};

using job_ptr = caf::stateful_actor<feed_job_state>*;

void begin_stop(job_ptr self);

std::string where(const feed_job_state& st) {
  return "change-feed job " + st.cfg.name;
}

bool is_error_code(const caf::error& err, ec code) {
  return err && err.category() == error_category() && err.code() == static_cast<uint8_t>(code);
}

feed_report current_report(job_ptr self) {
  auto& st = self->state;
  auto r = st.report;
  r.job = st.cfg.name;
  r.instance = st.cfg.instance;
  r.leases_owned = 0;
  r.ranges.clear();
  for (auto& [token, o] : st.owned) {
    if (o.lost)
      continue;
    ++r.leases_owned;
    r.ranges.push_back(
        feed_range_status{token, o.continuation, static_cast<bool>(o.reader), o.lag, o.delivered});
  }
  for (auto& [token, status] : st.released)
    if (st.owned.count(token) == 0)
      r.ranges.push_back(status);
  std::sort(r.ranges.begin(), r.ranges.end(),
            [](const auto& a, const auto& b) { return a.range < b.range; });
  r.seconds = std::chrono::duration<double>(clock_type::now() - st.started).count();
  return r;
}

void fail_job(job_ptr self, const caf::error& err) {
  auto& st = self->state;
  if (st.report.ok) {
    st.report.ok = false;
    st.report.error = render(err);
    spdlog::error("{}: {}", where(st), st.report.error);
  }
  begin_stop(self);
}

void finish(job_ptr self) {
  auto& st = self->state;
  if (st.finished)
    return;
  st.finished = true;
  for (auto& [token, o] : st.owned)
    if (o.reader)
      self->send_exit(o.reader, caf::exit_reason::kill);
  if (st.dead_letters)
    if (auto err = st.dead_letters->sync())
      spdlog::warn("{}: {}", where(st), render(err));
  if (st.sink)
    self->send_exit(st.sink, caf::exit_reason::user_shutdown);
  if (st.store)
    self->send_exit(st.store, caf::exit_reason::user_shutdown);
  auto report = current_report(self);
  spdlog::info("{}: finished: {} delivered, {} dead-lettered{}", st.cfg.name, report.delivered,
               report.dead_lettered, report.ok ? "" : ", failed: " + report.error);
  if (st.cfg.on_done)
    st.cfg.on_done(report);
  self->quit();
}

void finish_if_stopped(job_ptr self) {
  auto& st = self->state;
  if (st.stopping && st.owned.empty() && st.acquiring.empty())
    finish(self);
}

/// Releases the lease of a range without a reader and forgets the range.
void release(job_ptr self, const std::string& token) {
  auto& st = self->state;
  auto it = st.owned.find(token);
  if (it == st.owned.end())
    return;
  if (it->second.lost || it->second.gone || !st.store) {
    st.owned.erase(it);
    finish_if_stopped(self);
    return;
  }
  if (st.stopping)
    st.released[token] = feed_range_status{token, it->second.continuation, false, it->second.lag,
                                           it->second.delivered};
  self->request(st.store, std::chrono::seconds{30}, lease_release_atom::value, it->second.held)
      .then(
          [self, token](lease&) {
            self->state.owned.erase(token);
            finish_if_stopped(self);
          },
          [self, token](caf::error& err) {
            spdlog::warn("{}: releasing the lease of range {}: {}", where(self->state), token,
                         render(err));
            self->state.owned.erase(token);
            finish_if_stopped(self);
          });
}

/// Stops the reader of a range (if any), then releases or drops its lease.
void stop_range(job_ptr self, const std::string& token, after_stop then) {
  auto& st = self->state;
  auto it = st.owned.find(token);
  if (it == st.owned.end())
    return;
  auto& o = it->second;
  o.then = then;
  if (o.reader) {
    if (!o.stopping) {
      o.stopping = true;
      self->send_exit(o.reader, caf::exit_reason::user_shutdown);
    }
    return;
  }
  if (o.splitting)
    return; // the split's answer decides
  if (then == after_stop::release) {
    release(self, token);
  } else {
    st.owned.erase(it);
    finish_if_stopped(self);
  }
}

void lose(job_ptr self, const std::string& token, const std::string& why) {
  auto& st = self->state;
  auto it = st.owned.find(token);
  if (it == st.owned.end() || it->second.lost)
    return;
  it->second.lost = true;
  ++st.report.leases_lost;
  spdlog::warn("{}: lost the lease of range {}: {}", where(st), token, why);
  stop_range(self, token, after_stop::drop);
}

void begin_stop(job_ptr self) {
  auto& st = self->state;
  if (st.stopping)
    return;
  st.stopping = true;
  st.stop_deadline = clock_type::now() + std::chrono::seconds{30};
  std::vector<std::string> tokens;
  for (auto& [token, o] : st.owned)
    tokens.push_back(token);
  for (auto& token : tokens)
    stop_range(self, token, after_stop::release);
  finish_if_stopped(self);
}

std::optional<cosmos::epk_range> restriction(const feed_job_state& st, const lease& l) {
  if (!st.routing)
    return std::nullopt;
  auto* range = st.routing->find(l.range.token);
  if (range == nullptr)
    return std::nullopt; // gone already: the reader meets the split
  if (range->min_inclusive == l.range.min && range->max_exclusive == l.range.max)
    return std::nullopt;
  return l.range.epk();
}

void start_reader(job_ptr self, const std::string& token) {
  auto& st = self->state;
  auto& o = st.owned.at(token);
  range_reader_config rc;
  rc.job = st.cfg.name;
  rc.range_id = token;
  rc.epk = restriction(st, o.held);
  rc.continuation = o.continuation;
  rc.start_from = start_of(o.held, st.cfg.spec.source.start_from);
  rc.builder = st.session->shared_builder();
  rc.container = st.session->container();
  rc.pool = st.cfg.pool;
  rc.sink = st.sink;
  rc.parent = caf::actor_cast<caf::actor>(self);
  rc.poll_interval = st.cfg.spec.poll_interval;
  rc.max_batch = st.cfg.spec.max_batch;
  rc.retry = st.cfg.spec.retry;
  rc.first_sequence = o.next_sequence;
  o.reader = spawn_range_reader(self, std::move(rc));
  o.stopping = false;
  self->monitor(o.reader);
  spdlog::info("{}: reading range {} from {}", where(st), token,
               o.continuation.empty() ? "its start position" : o.continuation);
}

void acquire(job_ptr self, lease seen, bool stolen) {
  auto& st = self->state;
  auto token = seen.range.token;
  if (st.owned.count(token) > 0 || st.acquiring.count(token) > 0)
    return;
  st.acquiring.insert(token);
  auto sent = clock_type::now();
  self->request(st.store, std::chrono::seconds{30}, lease_acquire_atom::value, seen)
      .then(
          [self, token, sent, stolen](lease& got) {
            auto& st = self->state;
            st.acquiring.erase(token);
            owned_range o;
            o.held = got;
            o.continuation = got.continuation;
            o.confirmed = sent;
            o.start_at = stolen ? sent + st.fencing : sent;
            st.owned.emplace(token, std::move(o));
            ++st.report.leases_acquired;
            spdlog::info("{}: {} the lease of range {}{}", where(st), stolen ? "stole" : "acquired",
                         token, stolen ? " (reading once the previous owner has stopped)" : "");
            if (st.stopping)
              stop_range(self, token, after_stop::release);
          },
          [self, token](caf::error& err) {
            auto& st = self->state;
            st.acquiring.erase(token);
            if (is_error_code(err, ec::conflict) || is_error_code(err, ec::not_found))
              spdlog::debug("{}: range {} not acquired: {}", where(st), token, render(err));
            else
              spdlog::warn("{}: acquiring the lease of range {}: {}", where(st), token,
                           render(err));
            finish_if_stopped(self);
          });
}

void balance(job_ptr self) {
  auto& st = self->state;
  st.balancing = true;
  self->request(st.store, std::chrono::seconds{60}, lease_list_atom::value)
      .then(
          [self](std::vector<lease>& leases) {
            auto& st = self->state;
            st.balancing = false;
            if (st.stopping)
              return;
            st.report.leases_total = static_cast<uint32_t>(leases.size());
            auto now = lease_now();
            auto expiration = st.cfg.spec.leases.expiration;
            std::map<std::string, const lease*> by_token;
            st.live_instances.clear();
            for (auto& l : leases) {
              by_token[l.range.token] = &l;
              if (!l.expired(now, expiration) && l.owner != st.cfg.instance)
                st.live_instances.insert(l.owner);
            }
            // Leases we hold in memory that the store gives to someone else (or no longer has).
            std::vector<std::pair<std::string, std::string>> lost;
            for (auto& [token, o] : st.owned) {
              if (o.lost || o.gone || o.splitting)
                continue;
              auto found = by_token.find(token);
              if (found == by_token.end())
                lost.emplace_back(token, "the lease is gone");
              else if (found->second->owner != st.cfg.instance)
                lost.emplace_back(token, "owned by " +
                                             (found->second->owner.empty() ? std::string{"nobody"}
                                                                           : found->second->owner) +
                                             " now");
            }
            for (auto& [token, why] : lost)
              lose(self, token, why);
            // Ours in the store but not in memory: an earlier run under this instance name.
            for (auto& l : leases)
              if (l.owner == st.cfg.instance && st.owned.count(l.range.token) == 0)
                acquire(self, l, false);
            auto decision =
                balance_leases(leases, st.cfg.instance, now, expiration, st.live_instances);
            for (auto& l : decision.take)
              acquire(self, l, false);
            if (decision.steal)
              acquire(self, *decision.steal, true);
            for (auto& l : decision.release) {
              spdlog::info("{}: releasing range {} (more than the fair share)", where(st),
                           l.range.token);
              stop_range(self, l.range.token, after_stop::release);
            }
          },
          [self](caf::error& err) {
            auto& st = self->state;
            st.balancing = false;
            spdlog::warn("{}: listing the leases: {}", where(st), render(err));
          });
}

void renew(job_ptr self) {
  auto& st = self->state;
  for (auto& [token, o] : st.owned) {
    if (o.lost || o.renewing || o.gone || o.splitting)
      continue;
    o.renewing = true;
    auto sent = clock_type::now();
    self->request(st.store, std::chrono::seconds{30}, lease_renew_atom::value, o.held)
        .then(
            [self, token = token, sent](lease& got) {
              auto it = self->state.owned.find(token);
              if (it == self->state.owned.end())
                return;
              it->second.renewing = false;
              it->second.held = got;
              it->second.confirmed = std::max(it->second.confirmed, sent);
            },
            [self, token = token](caf::error& err) {
              auto it = self->state.owned.find(token);
              if (it == self->state.owned.end())
                return;
              it->second.renewing = false;
              if (is_error_code(err, ec::conflict) || is_error_code(err, ec::not_found))
                lose(self, token, render(err));
              else
                spdlog::warn("{}: renewing the lease of range {}: {}", where(self->state), token,
                             render(err));
            });
  }
}

void check_caught_up(job_ptr self) {
  auto& st = self->state;
  if (!st.cfg.until_caught_up || !st.ready || st.stopping || !st.acquiring.empty())
    return;
  if (st.report.leases_total == 0 || st.owned.size() != st.report.leases_total)
    return;
  for (auto& [token, o] : st.owned)
    if (!o.reader || o.lost || o.gone || o.splitting || !o.lag.items || *o.lag.items > 0)
      return;
  spdlog::info("{}: caught up on all {} ranges", where(st), st.owned.size());
  st.report.caught_up = true;
  begin_stop(self);
}

void tick(job_ptr self) {
  auto& st = self->state;
  auto now = clock_type::now();
  if (st.stopping) {
    if (now >= st.stop_deadline) {
      spdlog::warn("{}: readers or the lease store did not stop in time; finishing", where(st));
      finish(self);
    }
    return;
  }
  if (!st.ready)
    return;
  if (now >= st.next_renew) {
    st.next_renew = now + st.cfg.spec.leases.renew_interval;
    renew(self);
  }
  if (now >= st.next_acquire && !st.balancing) {
    st.next_acquire = now + st.cfg.spec.leases.acquire_interval;
    balance(self);
  }
  std::vector<std::string> fenced;
  for (auto& [token, o] : st.owned) {
    if (o.lost || o.gone || o.splitting || o.stopping)
      continue;
    if (now - o.confirmed > st.fencing) {
      fenced.push_back(token);
      continue;
    }
    if (!o.reader && now >= o.start_at && now >= o.restart_at) {
      start_reader(self, token);
      continue;
    }
    if (o.reader)
      self->request(o.reader, std::chrono::seconds{1}, feed_lag_atom::value)
          .then(
              [self, token = token](range_lag lag) {
                if (auto it = self->state.owned.find(token); it != self->state.owned.end())
                  it->second.lag = lag;
              },
              [](caf::error&) {});
  }
  for (auto& token : fenced)
    lose(self, token, "not confirmed by the lease store for longer than the fencing interval");
  check_caught_up(self);
}

caf::result<caf::ok_atom> on_checkpoint(job_ptr self, const range_checkpoint& cp) {
  auto& st = self->state;
  auto it = st.owned.find(cp.range_id);
  if (it == st.owned.end() || it->second.lost)
    return make_error(ec::conflict, "the lease of range " + cp.range_id + " is not held");
  auto rp = self->make_response_promise<caf::ok_atom>();
  auto sent = clock_type::now();
  self->request(st.store, std::chrono::seconds{60}, lease_checkpoint_atom::value, it->second.held,
                cp.continuation)
      .then(
          [self, cp, sent, rp](lease& got) mutable {
            auto& st = self->state;
            auto it = st.owned.find(cp.range_id);
            if (it != st.owned.end()) {
              auto& o = it->second;
              o.held = got;
              o.continuation = cp.continuation;
              o.confirmed = std::max(o.confirmed, sent);
              o.failures = 0;
              if (cp.sequence > 0)
                o.next_sequence = std::max(o.next_sequence, cp.sequence + 1);
              if (!cp.skipped && cp.documents > 0) {
                o.delivered += cp.documents;
                st.report.delivered += cp.documents;
                ++st.report.batches;
              }
            }
            rp.deliver(caf::ok_atom::value);
          },
          [self, cp, rp](caf::error& err) mutable {
            if (is_error_code(err, ec::conflict) || is_error_code(err, ec::not_found))
              lose(self, cp.range_id, render(err));
            rp.deliver(err);
          });
  return rp;
}

caf::atom_value on_sink_failed(job_ptr self, const change_batch& batch, const caf::error& err) {
  auto& st = self->state;
  auto what = "the sink gave up on batch " + batch.range_id + "#" + std::to_string(batch.sequence) +
              " (" + std::to_string(batch.documents.size()) + " changes): " + render(err);
  if (st.cfg.spec.on_failure == failure_policy::stop) {
    fail_job(self, make_error(ec::worker_failed, what + " (on_failure: stop)"));
    return feed_stop_atom::value;
  }
  if (!st.dead_letters) {
    auto opened = dead_letter_writer::open(st.cfg.dead_letter_file);
    if (!opened) {
      fail_job(self, opened.error());
      return feed_stop_atom::value;
    }
    st.dead_letters.emplace(std::move(*opened));
  }
  auto now = std::chrono::floor<milliseconds>(std::chrono::system_clock::now());
  if (auto e = st.dead_letters->append_line(feed_dead_letter_line(batch, render(err), now));
      e || (e = st.dead_letters->sync())) {
    fail_job(self, e);
    return feed_stop_atom::value;
  }
  st.report.dead_lettered += batch.documents.size();
  ++st.report.dead_lettered_batches;
  spdlog::warn("{}: {}; dead-lettered to {}", where(st), what, st.cfg.dead_letter_file);
  return feed_skip_atom::value;
}

/// The children of a gone range, cut to the part of the key space the parent's lease covered.
std::vector<lease_range> children_of(const cosmos::routing_map& map, const lease& parent) {
  std::vector<lease_range> out;
  auto bounds = parent.range.epk();
  for (auto* child : map.overlapping(bounds)) {
    if (child->id == parent.range.token)
      continue;
    lease_range r;
    r.token = child->id;
    r.min = std::max(child->min_inclusive, parent.range.min);
    r.max = parent.range.max.empty() ? child->max_exclusive
                                     : std::min(child->max_exclusive, parent.range.max);
    out.push_back(std::move(r));
  }
  return out;
}

void split(job_ptr self, const std::string& token);

void split_later(job_ptr self, const std::string& token, milliseconds delay) {
  run_later(self, delay, [self, token] { split(self, token); });
}

void split(job_ptr self, const std::string& token) {
  auto& st = self->state;
  auto it = st.owned.find(token);
  if (it == st.owned.end())
    return;
  if (st.stopping) {
    // The gone range keeps its lease: the next run meets the split again.
    st.owned.erase(it);
    finish_if_stopped(self);
    return;
  }
  it->second.splitting = true;
  st.session->read_routing(self, [self, token](caf::expected<cosmos::routing_map> map) {
    auto& st = self->state;
    auto it = st.owned.find(token);
    if (it == st.owned.end())
      return;
    if (!map) {
      spdlog::warn("{}: reading the ranges after range {} was split: {}", where(st), token,
                   render(map.error()));
      split_later(self, token, milliseconds{1000});
      return;
    }
    auto children = children_of(*map, it->second.held);
    if (map->find(token) != nullptr || children.empty()) {
      // 1007: the split is not complete yet.
      split_later(self, token, milliseconds{500});
      return;
    }
    st.routing = std::move(*map);
    auto parent = it->second.held;
    // The reader's gone position is at least as new as the last stored checkpoint.
    if (it->second.gone && !it->second.gone->continuation.empty())
      parent.continuation = it->second.gone->continuation;
    auto next_sequence = it->second.next_sequence;
    self->request(st.store, std::chrono::seconds{60}, lease_split_atom::value, parent, children)
        .then(
            [self, token, next_sequence](std::vector<lease>& created) {
              auto& st = self->state;
              st.owned.erase(token);
              ++st.report.splits;
              std::string names;
              auto now = clock_type::now();
              for (auto& l : created) {
                owned_range o;
                o.held = l;
                o.continuation = l.continuation;
                o.confirmed = now;
                o.start_at = now;
                o.next_sequence = next_sequence;
                st.owned.emplace(l.range.token, std::move(o));
                names += (names.empty() ? "" : ", ") + l.range.token;
                if (st.stopping)
                  stop_range(self, l.range.token, after_stop::release);
              }
              spdlog::info("{}: range {} was split; its lease is replaced by {}", where(st), token,
                           names);
              finish_if_stopped(self);
            },
            [self, token](caf::error& err) {
              auto& st = self->state;
              if (is_error_code(err, ec::conflict) || is_error_code(err, ec::not_found)) {
                if (auto it = st.owned.find(token); it != st.owned.end())
                  it->second.splitting = false;
                lose(self, token, render(err));
                stop_range(self, token, after_stop::drop);
                return;
              }
              spdlog::warn("{}: replacing the lease of split range {}: {}", where(st), token,
                           render(err));
              split_later(self, token, milliseconds{1000});
            });
  });
}

void on_reader_down(job_ptr self, const caf::down_msg& msg) {
  auto& st = self->state;
  auto it = std::find_if(st.owned.begin(), st.owned.end(), [&](auto& entry) {
    return entry.second.reader && entry.second.reader.address() == msg.source;
  });
  if (it == st.owned.end())
    return;
  auto token = it->first;
  auto& o = it->second;
  o.reader = nullptr;
  if (o.stopping) {
    o.stopping = false;
    stop_range(self, token, o.then);
    return;
  }
  o.lag = {};
  if (o.gone && !msg.reason) {
    split(self, token);
    return;
  }
  if (st.stopping) {
    stop_range(self, token, after_stop::release);
    return;
  }
  auto why = msg.reason ? render(msg.reason) : std::string{"it quit without a reason"};
  ++o.failures;
  ++st.report.reader_restarts;
  if (o.failures >= st.cfg.spec.retry.max_attempts) {
    fail_job(self,
             make_error(ec::too_many_restarts,
                        "the reader of range " + token + " failed " + std::to_string(o.failures) +
                            " times without progress; the last time: " + why));
    return;
  }
  backoff_policy policy{st.cfg.spec.retry.initial_backoff, st.cfg.spec.retry.max_backoff};
  auto delay = backoff_delay(policy, o.failures - 1, {});
  o.restart_at = clock_type::now() + std::chrono::duration_cast<clock_type::duration>(delay);
  spdlog::warn("{}: the reader of range {} failed ({}); restarting it in {} ms", where(st), token,
               why, std::chrono::duration_cast<milliseconds>(delay).count());
}

caf::error spawn_sink(job_ptr self) {
  auto& st = self->state;
  auto& spec = st.cfg.spec;
  if (auto* jsonl = std::get_if<jsonl_sink>(&spec.sink)) {
    st.sink = spawn_jsonl_sink(self, jsonl_sink_config{*jsonl, spec.retry, {}, {}});
  } else if (auto* http = std::get_if<http_sink>(&spec.sink)) {
    http_sink_config hc;
    hc.spec = *http;
    hc.pool = st.cfg.pool;
    st.sink = spawn_http_sink(self, std::move(hc));
  } else if (auto* cosmos = std::get_if<cosmos_sink>(&spec.sink)) {
    if (!st.cfg.sink_account)
      return make_error(ec::invalid_argument, "the cosmos sink needs its account");
    cosmos_sink_config cc;
    cc.spec = *cosmos;
    cc.account = *st.cfg.sink_account;
    cc.pool = st.cfg.pool;
    cc.retry = spec.retry;
    // A copy or migration target that does not exist yet is created like the source.
    if (!st.source_partition_key.empty())
      cc.create_if_missing = cosmos_create_spec{st.source_partition_key, std::nullopt};
    st.sink = spawn_cosmos_sink(self, std::move(cc));
  } else {
    return make_error(ec::not_implemented, std::string{"the "} + sink_type_name(spec.sink) +
                                               " sink is not available yet");
  }
  self->monitor(st.sink);
  return {};
}

caf::error spawn_store(job_ptr self) {
  auto& st = self->state;
  auto& leases = st.cfg.spec.leases;
  auto& source = st.cfg.spec.source;
  auto prefix = lease_prefix(st.cfg.name, source.database, source.container);
  if (leases.store == lease_store_kind::file) {
    file_lease_store_config fc;
    fc.file = st.cfg.lease_file;
    fc.prefix = prefix;
    fc.instance = st.cfg.instance;
    st.store = spawn_file_lease_store(self, std::move(fc));
  } else {
    if (!st.cfg.lease_account)
      return make_error(ec::invalid_argument, "leases.store cosmos needs the lease account");
    auto builder = make_request_builder(*st.cfg.lease_account);
    if (!builder)
      return builder.error();
    cosmos_lease_store_config cc;
    cc.builder = std::move(*builder);
    cc.pool = st.cfg.pool;
    cc.container = {leases.container.database, leases.container.container};
    cc.prefix = prefix;
    cc.instance = st.cfg.instance;
    cc.create_if_missing = std::optional<uint32_t>{};
    st.store = spawn_cosmos_lease_store(self, std::move(cc));
  }
  self->monitor(st.store);
  return {};
}

/// What new leases record as their start: "now" becomes the time of their creation, so that a
/// restart before a range's first checkpoint does not skip what was written in between.
start_position recorded_start(start_position spec) {
  if (spec.kind == start_position::now) {
    spec.kind = start_position::time;
    spec.at = lease_now();
  }
  return spec;
}

void create_leases(job_ptr self) {
  auto& st = self->state;
  std::vector<lease_range> ranges;
  for (auto& r : st.routing->ranges())
    ranges.push_back(lease_range{r.id, r.min_inclusive, r.max_exclusive});
  self->request(st.store, std::chrono::seconds{120}, lease_create_atom::value, std::move(ranges),
                to_string(recorded_start(st.cfg.spec.source.start_from)))
      .then(
          [self](std::vector<lease>& leases) {
            auto& st = self->state;
            st.report.leases_total = static_cast<uint32_t>(leases.size());
            st.ready = true;
            st.next_acquire = clock_type::now();
            st.next_renew = clock_type::now() + st.cfg.spec.leases.renew_interval;
            spdlog::info("{}: {} leases; instance {}", where(st), leases.size(), st.cfg.instance);
          },
          [self](caf::error& err) {
            fail_job(self,
                     make_error(ec::worker_failed, "cannot create the leases: " + render(err)));
          });
}

void start(job_ptr self) {
  auto& st = self->state;
  auto builder = make_request_builder(st.cfg.account);
  if (!builder) {
    fail_job(self, builder.error());
    return;
  }
  cosmos_session_options so;
  so.max_attempts = st.cfg.spec.retry.max_attempts;
  so.initial_backoff = st.cfg.spec.retry.initial_backoff;
  so.max_backoff = st.cfg.spec.retry.max_backoff;
  auto& source = st.cfg.spec.source;
  st.session = cosmos_container_session::make(std::move(*builder), st.cfg.pool,
                                              {source.database, source.container}, so);
  st.session->open(self, std::nullopt, [self](caf::expected<cosmos_container_info> info) {
    auto& st = self->state;
    if (!info) {
      if (is_error_code(info.error(), ec::not_found))
        fail_job(self,
                 make_error(ec::not_found, "the source container " +
                                               st.session->container().link() + " does not exist"));
      else
        fail_job(self, info.error());
      return;
    }
    if (st.stopping) {
      finish_if_stopped(self);
      return;
    }
    st.routing = std::move(info->routing);
    if (info->properties.partition_key.paths.size() == 1)
      st.source_partition_key = info->properties.partition_key.paths.front();
    if (auto err = spawn_store(self)) {
      fail_job(self, err);
      return;
    }
    if (auto err = spawn_sink(self)) {
      fail_job(self, err);
      return;
    }
    create_leases(self);
  });
}

caf::behavior change_feed_job(job_ptr self, change_feed_job_config cfg) {
  install_exception_handler(self);
  auto& st = self->state;
  st.cfg = std::move(cfg);
  st.fencing = fencing_interval(st.cfg.spec.leases.renew_interval, st.cfg.spec.leases.expiration);
  st.report.job = st.cfg.name;
  st.report.instance = st.cfg.instance;
  self->set_exit_handler([self](caf::exit_msg& msg) {
    auto& st = self->state;
    if (msg.reason == caf::exit_reason::kill) {
      self->quit(msg.reason);
      return;
    }
    st.report.stopped = true;
    begin_stop(self);
  });
  self->set_down_handler([self](caf::down_msg& msg) {
    auto& st = self->state;
    if (st.sink && msg.source == st.sink.address()) {
      st.sink = nullptr;
      if (!st.stopping)
        fail_job(self, make_error(ec::worker_failed,
                                  "the sink stopped: " +
                                      (msg.reason ? render(msg.reason) : std::string{"normally"})));
      return;
    }
    if (st.store && msg.source == st.store.address()) {
      st.store = nullptr;
      for (auto& [token, o] : st.owned)
        o.lost = true; // nothing can be released any more
      fail_job(self, make_error(ec::worker_failed,
                                "the lease store stopped: " +
                                    (msg.reason ? render(msg.reason) : std::string{"normally"})));
      return;
    }
    on_reader_down(self, msg);
  });
  start(self);
  self->send(self, feed_tick_atom::value);
  return deferred_calls().or_else(caf::message_handler{
      [self](feed_tick_atom) {
        if (self->state.finished)
          return;
        tick(self);
        self->delayed_send(self, self->state.cfg.tick, feed_tick_atom::value);
      },
      [self](feed_checkpoint_atom, const range_checkpoint& cp) { return on_checkpoint(self, cp); },
      [self](feed_sink_failed_atom, const change_batch& batch, const caf::error& err) {
        return on_sink_failed(self, batch, err);
      },
      [self](feed_gone_atom, const range_gone& gone) {
        auto& st = self->state;
        if (auto it = st.owned.find(gone.range_id); it != st.owned.end()) {
          spdlog::info("{}: range {} is gone ({}): {}", where(st), gone.range_id, gone.substatus,
                       gone.reason);
          it->second.gone = gone;
        }
      },
      [self](feed_status_atom) { return current_report(self); },
  });
}

} // namespace

caf::actor spawn_change_feed_job(caf::actor_system& sys, change_feed_job_config config) {
  return sys.spawn<caf::detached>(change_feed_job, std::move(config));
}

} // namespace bulkd
