#include "actors/bulk_upsert/bulk_job_actor.hpp"

#include "actors/bulk_upsert/bulk_messages.hpp"
#include "actors/bulk_upsert/bulk_reader_actor.hpp"
#include "actors/bulk_upsert/checkpoint_writer_actor.hpp"
#include "actors/bulk_upsert/range_worker_actor.hpp"
#include "actors/cosmos_container_session.hpp"
#include "actors/exception_handler.hpp"
#include "clients/cosmos/epk_hash.hpp"
#include "clients/error.hpp"
#include "jobs/bulk_upsert/bulk_checkpoint.hpp"
#include "jobs/bulk_upsert/record_reader.hpp"
#include "jobs/bulk_upsert/settled_watermark.hpp"
#include "jobs/dead_letter_writer.hpp"

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/exit_reason.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/system_messages.hpp>
#include <spdlog/spdlog.h>

#include <map>
#include <optional>

namespace bulkd {

namespace {

using clock_type = std::chrono::steady_clock;
using std::chrono::milliseconds;

struct job_file {
  std::string path;
  file_fingerprint fingerprint;
  file_plan plan;
  settled_watermark watermark;
  bool end_of_file = false;
  std::string error;
  uint64_t bytes_read = 0;
  size_t entry = 0; // of this file in bulk_job_state::checkpoint (when not skipped)
};

struct worker_entry {
  std::string range_id;
  caf::actor handle;
  bool retired = false;
};

struct bulk_job_state {
  bulk_job_config cfg;
  clock_type::time_point started = clock_type::now();
  std::shared_ptr<cosmos_container_session> session;
  cosmos::partition_key_definition definition;
  std::shared_ptr<const cosmos::routing_map> routing;
  std::vector<job_file> files;
  bulk_checkpoint checkpoint;
  std::shared_ptr<dead_letter_writer> dead_letters;
  caf::actor checkpoint_writer;
  bool checkpoint_writing = false;   // a write is under way
  bool checkpoint_wanted = false;    // the watermark moved since that write's state was taken
  bool finish_pending = false;       // finish() waits for the write under way
  bool moved = false;                // a settled point moved since the last check_done
  uint64_t dead_letters_covered = 0; // appended before the last state sent to the writer
  clock_type::time_point checkpoint_retry_at{}; // after a failed write: not before (no log flood)
  bulk_counts counts;
  std::vector<worker_entry> workers;
  uint32_t per_worker_in_flight = 1;
  caf::actor reader;
  bool reader_started = false;
  bool reader_gone = false;
  bool end_of_input = false;
  bool draining = false; // an exit message came: stop reading, drain
  bool finished = false;
  bool refreshing = false;   // a pkranges read is under way
  injected_records reroutes; // waiting for the refreshed routing map
  std::string error;         // the first failure
  std::string checkpoint_error;

  static inline const char* name = "bulk_job";
};

using job_ptr = caf::stateful_actor<bulk_job_state>*;

double seconds_since(clock_type::time_point t) {
  return std::chrono::duration<double>(clock_type::now() - t).count();
}

bulk_report make_report(job_ptr self) {
  auto& st = self->state;
  bulk_report r;
  r.job = st.cfg.name;
  r.counts = st.counts;
  r.counts.bytes_read = 0;
  for (auto& f : st.files) {
    r.files.push_back(f.path);
    if (!f.plan.skip)
      r.counts.bytes_read += f.bytes_read;
  }
  r.seconds = seconds_since(st.started);
  r.error = st.error;
  r.ok = st.error.empty();
  return r;
}

// The checkpoint as of now: the loaded one with every planned file's settled point.
bulk_checkpoint current_checkpoint(job_ptr self) {
  auto& st = self->state;
  auto cp = st.checkpoint;
  for (auto& f : st.files) {
    if (f.plan.skip)
      continue;
    auto& entry = cp.files[f.entry];
    entry.settled = f.watermark.settled();
    entry.finished = f.end_of_file && f.error.empty() && f.watermark.idle();
  }
  return cp;
}

// Synchronous: only for the last write, when the job ends.
caf::error write_checkpoint(job_ptr self) {
  auto& st = self->state;
  if (st.dead_letters) {
    if (auto err = st.dead_letters->sync())
      return err;
  }
  return save_bulk_checkpoint(st.cfg.checkpoint_file, current_checkpoint(self));
}

void complete_finish(job_ptr self);

// Hands the current state to the checkpoint writer, or (while a write is under way) remembers
// that the newest state is to be written next.
void request_checkpoint(job_ptr self) {
  auto& st = self->state;
  if (!st.checkpoint_writer || st.finished)
    return;
  if (st.checkpoint_writing || clock_type::now() < st.checkpoint_retry_at) {
    st.checkpoint_wanted = true;
    return;
  }
  st.checkpoint_writing = true;
  st.checkpoint_wanted = false;
  checkpoint_write msg;
  msg.checkpoint = current_checkpoint(self);
  auto appended = st.dead_letters ? st.dead_letters->written() : 0;
  msg.sync_dead_letters = appended > st.dead_letters_covered;
  st.dead_letters_covered = appended;
  auto done = [self] {
    auto& st = self->state;
    st.checkpoint_writing = false;
    if (st.finish_pending)
      complete_finish(self);
    else if (st.checkpoint_wanted)
      request_checkpoint(self);
  };
  self->request(st.checkpoint_writer, caf::infinite, std::move(msg))
      .then([done](caf::ok_atom) { done(); },
            [self, done](caf::error& err) {
              auto& st = self->state;
              spdlog::warn("bulk job {}: cannot write the checkpoint: {}", st.cfg.name,
                           render(err));
              // Covered entries may not be synced: sync them with the next write, which waits a
              // second (the tick, a later move or the end writes it).
              st.dead_letters_covered = 0;
              st.checkpoint_retry_at = clock_type::now() + std::chrono::seconds{1};
              done();
            });
}

void stop_children(job_ptr self) {
  auto& st = self->state;
  if (st.reader && !st.reader_gone)
    self->send_exit(st.reader, caf::exit_reason::kill);
  for (auto& w : st.workers)
    self->send_exit(w.handle, caf::exit_reason::user_shutdown);
}

void finish(job_ptr self) {
  auto& st = self->state;
  if (st.finished)
    return;
  st.finished = true;
  stop_children(self);
  // One writer at a time: the last write waits for the one under way.
  if (st.checkpoint_writing) {
    st.finish_pending = true;
    return;
  }
  complete_finish(self);
}

void complete_finish(job_ptr self) {
  auto& st = self->state;
  st.finish_pending = false;
  if (st.reader_started || !st.files.empty()) {
    if (auto err = write_checkpoint(self)) {
      spdlog::error("bulk job {}: cannot write the checkpoint: {}", st.cfg.name, render(err));
      if (st.error.empty())
        st.error = "cannot write the checkpoint: " + render(err);
    }
  }
  if (st.checkpoint_writer)
    self->send_exit(st.checkpoint_writer, caf::exit_reason::user_shutdown);
  auto report = make_report(self);
  if (st.cfg.on_done)
    st.cfg.on_done(report);
  self->quit();
}

void fail(job_ptr self, std::string why) {
  auto& st = self->state;
  if (st.error.empty())
    st.error = std::move(why);
  finish(self);
}

bool all_settled(job_ptr self) {
  for (auto& f : self->state.files)
    if (!f.watermark.idle())
      return false;
  return true;
}

void check_done(job_ptr self) {
  auto& st = self->state;
  if (st.moved) {
    st.moved = false;
    request_checkpoint(self);
  }
  if (st.finished || st.refreshing || !st.reroutes.records.empty())
    return;
  if (!all_settled(self))
    return;
  if (st.draining) {
    if (!st.reader_started || st.reader_gone)
      finish(self);
    return;
  }
  if (st.end_of_input)
    finish(self);
}

void write_dead_letter(job_ptr self, const input_position& at, int status, int substatus,
                       std::string message, std::string id, std::string record) {
  auto& st = self->state;
  bulkd::dead_letter entry;
  entry.source_file = at.file < st.files.size() ? st.files[at.file].path : std::string{};
  entry.line = at.line;
  entry.status = status;
  entry.substatus = substatus;
  entry.message = std::move(message);
  entry.id = std::move(id);
  entry.record = std::move(record);
  if (auto err = st.dead_letters->append(entry))
    fail(self, "cannot write the dead-letter file " + st.cfg.dead_letter_file + ": " + render(err));
}

// Settles a record; notes when its file's settled point moved (check_done then has the
// checkpoint written).
void settle(job_ptr self, const input_position& at) {
  auto& st = self->state;
  if (at.file >= st.files.size())
    return;
  auto& w = st.files[at.file].watermark;
  auto before = w.settled();
  w.settle(at);
  if (!(w.settled() == before))
    st.moved = true;
}

caf::actor worker_for(job_ptr self, const cosmos::partition_key& key) {
  auto& st = self->state;
  auto epk = cosmos::effective_partition_key(key, st.definition);
  if (!epk)
    return {};
  auto range = st.routing->route(*epk);
  if (!range)
    return {};
  for (auto& w : st.workers)
    if (!w.retired && w.range_id == range->id)
      return w.handle;
  return {};
}

range_worker_config worker_config(job_ptr self, const std::string& range_id) {
  auto& st = self->state;
  auto& spec = st.cfg.spec;
  range_worker_config wc;
  wc.range_id = range_id;
  wc.builder = st.session->shared_builder();
  wc.container = st.session->container();
  wc.pool = st.cfg.pool;
  wc.job = self;
  wc.operation = spec.operation;
  wc.patch = spec.patch;
  wc.batch = std::clamp<uint32_t>(spec.concurrency.batch, 1, 100);
  wc.max_in_flight = st.per_worker_in_flight;
  wc.initial_in_flight = std::max<uint32_t>(1, (st.per_worker_in_flight + 1) / 2);
  wc.retry = spec.retry;
  if (spec.max_ru_per_second && *spec.max_ru_per_second > 0)
    wc.max_ru_per_second = static_cast<double>(*spec.max_ru_per_second) /
                           static_cast<double>(std::max<size_t>(1, st.routing->size()));
  return wc;
}

route_table current_routes(job_ptr self) {
  auto& st = self->state;
  route_table t;
  t.map = st.routing;
  for (auto& w : st.workers)
    if (!w.retired) {
      t.range_ids.push_back(w.range_id);
      t.workers.push_back(w.handle);
    }
  return t;
}

void start_workers(job_ptr self) {
  auto& st = self->state;
  for (auto& range : st.routing->ranges()) {
    auto known = std::find_if(st.workers.begin(), st.workers.end(), [&](const worker_entry& w) {
      return !w.retired && w.range_id == range.id;
    });
    if (known != st.workers.end())
      continue;
    auto handle = spawn_range_worker(self, worker_config(self, range.id));
    self->monitor(handle);
    st.workers.push_back(worker_entry{range.id, handle, false});
  }
  for (auto& w : st.workers) {
    if (w.retired || st.routing->find(w.range_id) != nullptr)
      continue;
    w.retired = true;
    self->send(w.handle, retire_atom::value);
  }
  // The ranges share concurrency.max_in_flight: after a split each gets a smaller part.
  auto ranges = static_cast<uint32_t>(std::max<size_t>(1, st.routing->size()));
  auto share = std::max<uint32_t>(1, st.cfg.spec.concurrency.max_in_flight / ranges);
  if (share != st.per_worker_in_flight) {
    st.per_worker_in_flight = share;
    for (auto& w : st.workers)
      if (!w.retired)
        self->send(w.handle, in_flight_atom::value, share);
  }
}

void deliver_reroutes(job_ptr self) {
  auto& st = self->state;
  std::vector<std::pair<caf::actor, injected_records>> per_worker;
  auto pending = std::move(st.reroutes);
  st.reroutes = {};
  for (size_t i = 0; i < pending.records.size(); ++i) {
    auto& rec = pending.records[i];
    auto worker = worker_for(self, rec.key);
    if (!worker) {
      auto at = rec.at;
      write_dead_letter(self, at, 0, 0, "no partition key range holds the record's key", rec.id,
                        std::move(rec.document));
      ++st.counts.dead_lettered;
      settle(self, at);
      continue;
    }
    auto slot = std::find_if(per_worker.begin(), per_worker.end(),
                             [&](const auto& p) { return p.first == worker; });
    if (slot == per_worker.end()) {
      per_worker.emplace_back(worker, injected_records{});
      slot = per_worker.end() - 1;
    }
    auto& out = slot->second;
    out.attempts.push_back(i < pending.attempts.size() ? pending.attempts[i] : 0);
    out.records.push_back(std::move(rec));
  }
  for (auto& [worker, msg] : per_worker)
    self->send(worker, std::move(msg));
}

void refresh_routing(job_ptr self) {
  auto& st = self->state;
  if (st.refreshing || st.finished)
    return;
  st.refreshing = true;
  ++st.counts.routing_refreshes;
  st.session->read_routing(self, [self](caf::expected<cosmos::routing_map> map) {
    auto& st = self->state;
    st.refreshing = false;
    if (st.finished)
      return;
    if (!map) {
      fail(self, "cannot refresh the partition key ranges: " + render(map.error()));
      return;
    }
    st.routing = std::make_shared<const cosmos::routing_map>(std::move(*map));
    start_workers(self);
    if (st.reader && !st.reader_gone)
      self->send(st.reader, routing_update{current_routes(self)});
    deliver_reroutes(self);
    check_done(self);
  });
}

void start_reader(job_ptr self) {
  auto& st = self->state;
  auto& spec = st.cfg.spec;
  bulk_reader_config rc;
  rc.job = self;
  rc.source = spec.source;
  rc.extraction.id_path = spec.id_path;
  rc.extraction.generate_id = spec.generate_id;
  if (!spec.partition_key_path.empty())
    rc.extraction.partition_key_paths = {spec.partition_key_path};
  else
    rc.extraction.partition_key_paths = st.definition.paths;
  for (uint32_t i = 0; i < st.files.size(); ++i)
    if (!st.files[i].plan.skip)
      rc.files.push_back(reader_file{i, st.files[i].path, st.files[i].plan.from});
  if (rc.files.empty()) {
    st.end_of_input = true;
    check_done(self);
    return;
  }
  rc.routes = current_routes(self);
  rc.definition = st.definition;
  rc.batch = std::clamp<uint32_t>(spec.concurrency.batch, 1, 100);
  rc.mailbox = std::max<uint32_t>(1, spec.concurrency.mailbox);
  rc.chunk = st.cfg.chunk;
  st.reader = spawn_bulk_reader(self, std::move(rc));
  st.reader_started = true;
  self->monitor(st.reader);
}

void on_container(job_ptr self, caf::expected<cosmos_container_info> info) {
  auto& st = self->state;
  if (st.finished)
    return;
  if (!info) {
    fail(self, render(info.error()));
    return;
  }
  if (info->created)
    spdlog::info("bulk job {}: created container {}", st.cfg.name, st.session->container().link());
  st.definition = info->properties.partition_key;
  st.routing = std::make_shared<const cosmos::routing_map>(std::move(info->routing));
  auto ranges = static_cast<uint32_t>(std::max<size_t>(1, st.routing->size()));
  st.per_worker_in_flight = std::max<uint32_t>(1, st.cfg.spec.concurrency.max_in_flight / ranges);
  if (st.draining) {
    check_done(self);
    return;
  }
  start_workers(self);
  start_reader(self);
}

// Lists and plans the files, opens the dead-letter file. An error string on failure.
std::string prepare(job_ptr self) {
  auto& st = self->state;
  auto listed = list_input_files(st.cfg.spec.source);
  if (!listed)
    return render(listed.error());
  auto cp = load_bulk_checkpoint(st.cfg.checkpoint_file);
  if (!cp)
    return render(cp.error());
  st.checkpoint = std::move(*cp);
  auto reading = reading_spec_of(st.cfg.spec);
  if (auto err = check_reading(st.checkpoint, reading, st.cfg.checkpoint_file))
    return render(err);
  st.checkpoint.reading = std::move(reading);
  for (auto& path : *listed) {
    auto fp = fingerprint_of(path);
    if (!fp)
      return render(fp.error());
    auto plan = plan_file(st.checkpoint, path, *fp);
    job_file f{path, *fp, plan, settled_watermark{plan.from}, false, {}, 0, 0};
    if (!plan.skip) {
      st.counts.bytes_total += fp->size;
      // The file's entry, found once (matched like find_file, so a stored non-UTF-8 path is not
      // listed twice), then updated in place for every write.
      file_checkpoint entry{path, *fp, plan.from, false};
      if (auto known = find_file(st.checkpoint, path)) {
        f.entry = static_cast<size_t>(known - st.checkpoint.files.data());
        st.checkpoint.files[f.entry] = std::move(entry);
      } else {
        f.entry = st.checkpoint.files.size();
        st.checkpoint.files.push_back(std::move(entry));
      }
    }
    st.files.push_back(std::move(f));
  }
  auto dl = dead_letter_writer::open(st.cfg.dead_letter_file);
  if (!dl)
    return "cannot open the dead-letter file " + st.cfg.dead_letter_file + ": " +
           render(dl.error());
  st.dead_letters = std::make_shared<dead_letter_writer>(std::move(*dl));
  st.checkpoint_writer = spawn_checkpoint_writer(
      self, checkpoint_writer_config{st.cfg.checkpoint_file, st.dead_letters});
  // Whatever ends the job (a kill, an exception) ends the writer's thread too.
  self->attach_functor([writer = st.checkpoint_writer](const caf::error&) {
    caf::anon_send_exit(writer, caf::exit_reason::user_shutdown);
  });
  return {};
}

void on_chunk(job_ptr self, chunk_read& msg) {
  auto& st = self->state;
  if (msg.file < st.files.size()) {
    auto& f = st.files[msg.file];
    for (auto& at : msg.handed_out)
      f.watermark.hand_out(at);
    st.counts.read += msg.handed_out.size();
    if (msg.bytes_read > 0)
      f.bytes_read = msg.bytes_read;
    if (msg.end_of_file) {
      f.end_of_file = true;
      st.moved = true;
    }
    if (!msg.error.empty()) {
      f.error = msg.error;
      spdlog::error("bulk job {}: {}: {}", st.cfg.name, f.path, msg.error);
      if (st.error.empty())
        st.error = f.path + ": " + msg.error;
    }
  }
  for (auto& r : msg.rejected) {
    write_dead_letter(self, r.at, 0, 0, r.message, {}, std::move(r.excerpt));
    ++st.counts.rejected;
    settle(self, r.at);
  }
  if (msg.end_of_input)
    st.end_of_input = true;
  check_done(self);
}

void on_settled(job_ptr self, settled_batch& msg) {
  auto& st = self->state;
  for (auto& at : msg.written)
    settle(self, at);
  st.counts.written += msg.written.size();
  for (auto& f : msg.failed) {
    write_dead_letter(self, f.at, f.status, f.substatus, std::move(f.message), std::move(f.id),
                      std::move(f.record));
    ++st.counts.dead_lettered;
    settle(self, f.at);
  }
  st.counts.retries += msg.retries;
  st.counts.throttles += msg.throttles;
  st.counts.rebatches += msg.rebatches;
  st.counts.request_charge += msg.request_charge;
  check_done(self);
}

caf::behavior bulk_job(job_ptr self, bulk_job_config cfg) {
  install_exception_handler(self);
  auto& st = self->state;
  st.cfg = std::move(cfg);
  self->set_down_handler([self](caf::down_msg& dm) {
    auto& st = self->state;
    if (st.reader && dm.source == st.reader.address()) {
      st.reader_gone = true;
      if (dm.reason && dm.reason != caf::exit_reason::user_shutdown)
        fail(self, "the reader failed: " + render(dm.reason));
      else
        check_done(self);
      return;
    }
    for (auto& w : st.workers)
      if (dm.source == w.handle.address() && !st.finished) {
        fail(self, "the worker of range " + w.range_id + " failed: " + render(dm.reason));
        return;
      }
  });
  self->set_exit_handler([self](caf::exit_msg& em) {
    auto& st = self->state;
    if (em.reason == caf::exit_reason::kill) {
      self->quit(em.reason);
      return;
    }
    if (st.draining || st.finished)
      return;
    st.draining = true;
    if (st.error.empty())
      st.error = "interrupted (" + render(em.reason) + "); rerun to resume from the checkpoint";
    if (st.reader && !st.reader_gone)
      self->send(st.reader, drain_atom::value);
    self->delayed_send(self, st.cfg.drain_timeout, drain_atom::value);
    check_done(self);
  });
  if (auto why = prepare(self); !why.empty()) {
    st.error = why;
    // Nothing started: no checkpoint to write.
    st.finished = true;
    if (st.cfg.on_done)
      st.cfg.on_done(make_report(self));
    self->quit();
    return {};
  }
  auto builder = make_request_builder(st.cfg.account);
  if (!builder) {
    fail(self, render(builder.error()));
    return {};
  }
  cosmos_session_options so;
  so.max_attempts = std::max<uint32_t>(st.cfg.spec.retry.max_attempts, 3);
  st.session = cosmos_container_session::make(
      std::move(*builder), st.cfg.pool,
      cosmos::container_ref{st.cfg.spec.target.database, st.cfg.spec.target.container}, so);
  std::optional<cosmos_create_spec> create;
  if (st.cfg.spec.target.create_if_missing)
    create = cosmos_create_spec{st.cfg.spec.target.create_if_missing->partition_key,
                                st.cfg.spec.target.create_if_missing->throughput};
  st.session->open(self, create, [self](caf::expected<cosmos_container_info> info) {
    on_container(self, std::move(info));
  });
  self->delayed_send(self, st.cfg.spec.checkpoint_interval, bulk_tick_atom::value);
  caf::message_handler own{
      [self](chunk_read& msg) { on_chunk(self, msg); },
      [self](settled_batch& msg) { on_settled(self, msg); },
      [self](reroute_records& msg) {
        auto& st = self->state;
        for (size_t i = 0; i < msg.records.size(); ++i) {
          st.reroutes.records.push_back(std::move(msg.records[i]));
          st.reroutes.attempts.push_back(i < msg.attempts.size() ? msg.attempts[i] : 0);
        }
        // Records of a range the current map no longer has need no new read: the map that
        // retired it routes them (unless a read is under way anyway).
        if (!st.refreshing && st.routing && st.routing->find(msg.range_id) == nullptr) {
          deliver_reroutes(self);
          check_done(self);
          return;
        }
        refresh_routing(self);
      },
      [self](bulk_tick_atom) {
        auto& st = self->state;
        if (st.finished)
          return;
        // A fallback: every move of a settled point has the checkpoint written already.
        if (st.reader_started)
          request_checkpoint(self);
        self->delayed_send(self, st.cfg.spec.checkpoint_interval, bulk_tick_atom::value);
      },
      [self](drain_atom) {
        // The drain timeout: write what is settled and stop.
        auto& st = self->state;
        if (!st.finished) {
          spdlog::warn("bulk job {}: draining took longer than {} ms; stopping", st.cfg.name,
                       st.cfg.drain_timeout.count());
          finish(self);
        }
      },
      [self](progress_atom) -> caf::result<bulk_report> {
        auto& st = self->state;
        auto report = std::make_shared<bulk_report>(make_report(self));
        if (st.finished || st.workers.empty())
          return *report;
        // Each worker knows its requests in flight: ask them all, answer with the last reply.
        auto rp = self->make_response_promise<bulk_report>();
        auto waiting = std::make_shared<size_t>(st.workers.size());
        for (auto& w : st.workers) {
          report->counts.in_flight_by_range[w.range_id] += 0;
          auto reply = [rp, report, waiting]() mutable {
            if (--*waiting == 0)
              rp.deliver(std::move(*report));
          };
          self->request(w.handle, std::chrono::seconds{1}, in_flight_query_atom::value)
              .then(
                  [report, reply, id = w.range_id](uint64_t n) mutable {
                    report->counts.in_flight_by_range[id] += n;
                    reply();
                  },
                  [reply](caf::error&) mutable { reply(); });
        }
        return rp;
      },
  };
  return own.or_else(deferred_calls());
}

} // namespace

caf::actor spawn_bulk_job(caf::actor_system& sys, bulk_job_config config) {
  return sys.spawn<caf::detached>(bulk_job, std::move(config));
}

} // namespace bulkd
