#include "actors/bulk_upsert/bulk_reader_actor.hpp"

#include "actors/credit_channel.hpp"
#include "actors/exception_handler.hpp"
#include "clients/cosmos/epk_hash.hpp"
#include "clients/error.hpp"

#include <caf/event_based_actor.hpp>
#include <caf/exit_reason.hpp>
#include <caf/send.hpp>
#include <caf/stateful_actor.hpp>

#include <memory>
#include <optional>

namespace bulkd {

namespace {

using channel = credit_channel<input_record>;

struct reader_channel {
  std::string range_id;
  channel out;
};

struct bulk_reader_state {
  bulk_reader_config cfg;
  std::vector<reader_channel> channels; // current ranges, in route table order
  std::vector<channel> retired;         // channels of gone ranges, kept until idle
  size_t next_file = 0;
  std::unique_ptr<record_reader> current;
  uint32_t current_index = 0;
  bool scheduled = false; // a read_atom is in the mailbox
  bool waiting = false;   // stopped for lack of credit
  bool done = false;      // every file read
  bool draining = false;
  std::vector<input_record> records;
  std::vector<rejected_record> rejected;

  static inline const char* name = "bulk_reader";
};

using reader_ptr = caf::stateful_actor<bulk_reader_state>*;

void schedule(reader_ptr self) {
  if (!self->state.scheduled) {
    self->state.scheduled = true;
    self->send(self, read_atom::value);
  }
}

bool all_idle(reader_ptr self) {
  for (auto& c : self->state.channels)
    if (!c.out.idle())
      return false;
  for (auto& c : self->state.retired)
    if (!c.idle())
      return false;
  return true;
}

void maybe_quit(reader_ptr self) {
  auto& st = self->state;
  if ((st.done || st.draining) && all_idle(self))
    self->quit();
}

void flush_all(reader_ptr self) {
  for (auto& c : self->state.channels)
    c.out.flush();
}

void on_ack(reader_ptr self) {
  auto& st = self->state;
  if (st.done || st.draining) {
    maybe_quit(self);
    return;
  }
  if (st.waiting) {
    st.waiting = false;
    schedule(self);
  }
}

channel make_channel(reader_ptr self, const caf::actor& worker) {
  channel out{self, worker, credit_channel_options{self->state.cfg.mailbox, self->state.cfg.batch}};
  out.on_ack([self](size_t) { on_ack(self); });
  // A worker that dies fails the run (the job monitors the workers); the records stay unsettled,
  // so the checkpoint never covers them.
  out.on_error([](const caf::error&, std::vector<input_record>) {});
  return out;
}

void set_routes(reader_ptr self, route_table routes) {
  auto& st = self->state;
  std::vector<reader_channel> next;
  for (size_t i = 0; i < routes.range_ids.size(); ++i) {
    auto& id = routes.range_ids[i];
    auto old = std::find_if(st.channels.begin(), st.channels.end(),
                            [&](const reader_channel& c) { return c.range_id == id; });
    if (old != st.channels.end() && old->out.receiver() == routes.workers[i]) {
      next.push_back(std::move(*old));
      st.channels.erase(old);
    } else {
      next.push_back(reader_channel{id, make_channel(self, routes.workers[i])});
    }
  }
  std::vector<input_record> orphans;
  for (auto& c : st.channels) {
    for (auto& rec : c.out.take_buffered())
      orphans.push_back(std::move(rec));
    st.retired.push_back(std::move(c.out));
  }
  st.channels = std::move(next);
  st.cfg.routes = std::move(routes);
  // Records buffered for a gone range were handed out already: re-route them.
  for (auto& rec : orphans) {
    auto epk = cosmos::effective_partition_key(rec.key, st.cfg.definition);
    const cosmos::partition_key_range* range = epk ? st.cfg.routes.map->route(*epk) : nullptr;
    size_t target = 0;
    if (range)
      for (size_t i = 0; i < st.channels.size(); ++i)
        if (st.channels[i].range_id == range->id)
          target = i;
    st.channels[target].out.push(std::move(rec));
  }
  std::erase_if(st.retired, [](const channel& c) { return c.idle(); });
}

std::string excerpt_of(const std::string& text) {
  return text.size() <= 1024 ? text : text.substr(0, 1024);
}

// Opens the next planned file; false when there is none. A file that cannot be opened is
// reported to the job and skipped.
bool open_next(reader_ptr self) {
  auto& st = self->state;
  while (st.next_file < st.cfg.files.size()) {
    auto& f = st.cfg.files[st.next_file++];
    auto reader = record_reader::open(f.path, f.index, st.cfg.source, st.cfg.extraction, f.from);
    if (reader) {
      st.current = std::move(*reader);
      st.current_index = f.index;
      return true;
    }
    chunk_read msg;
    msg.file = f.index;
    msg.end_of_file = true;
    msg.error = render(reader.error());
    msg.end_of_input = st.next_file == st.cfg.files.size();
    self->send(st.cfg.job, std::move(msg));
  }
  return false;
}

void read_chunk(reader_ptr self) {
  auto& st = self->state;
  if (!st.current && !open_next(self)) {
    st.done = true;
    flush_all(self);
    maybe_quit(self);
    return;
  }
  st.records.clear();
  st.rejected.clear();
  auto more = st.current->read(st.cfg.chunk, st.records, st.rejected);
  chunk_read msg;
  msg.file = st.current_index;
  msg.bytes_read = st.current->bytes_consumed();
  if (!more) {
    msg.end_of_file = true;
    msg.error = render(more.error());
  } else if (!*more) {
    msg.end_of_file = true;
  }
  // Route first: a key that does not fit the container's definition is a rejected record.
  std::vector<size_t> targets;
  targets.reserve(st.records.size());
  std::vector<input_record> routed;
  routed.reserve(st.records.size());
  for (auto& rec : st.records) {
    auto epk = cosmos::effective_partition_key(rec.key, st.cfg.definition);
    const cosmos::partition_key_range* range = epk ? st.cfg.routes.map->route(*epk) : nullptr;
    std::optional<size_t> target;
    if (range)
      for (size_t i = 0; i < st.channels.size(); ++i)
        if (st.channels[i].range_id == range->id) {
          target = i;
          break;
        }
    if (!target) {
      auto why = epk ? std::string{"no partition key range holds its key"}
                     : "its partition key does not fit the container: " + render(epk.error());
      st.rejected.push_back(rejected_record{
          rec.at, "line " + std::to_string(rec.at.line) + ": " + why, excerpt_of(rec.document)});
      continue;
    }
    targets.push_back(*target);
    routed.push_back(std::move(rec));
  }
  // Hand out every position in file order (routed and rejected records interleave).
  std::sort(
      st.rejected.begin(), st.rejected.end(),
      [](const rejected_record& a, const rejected_record& b) { return a.at.begin < b.at.begin; });
  msg.handed_out.reserve(routed.size() + st.rejected.size());
  size_t r = 0;
  for (auto& rec : routed) {
    while (r < st.rejected.size() && st.rejected[r].at.begin < rec.at.begin)
      msg.handed_out.push_back(st.rejected[r++].at);
    msg.handed_out.push_back(rec.at);
  }
  while (r < st.rejected.size())
    msg.handed_out.push_back(st.rejected[r++].at);
  msg.rejected = std::move(st.rejected);
  st.rejected = {};
  bool eof = msg.end_of_file;
  if (eof) {
    st.current.reset();
    msg.end_of_input = st.next_file == st.cfg.files.size();
  }
  bool last = msg.end_of_input;
  self->send(st.cfg.job, std::move(msg));
  for (size_t i = 0; i < routed.size(); ++i)
    st.channels[targets[i]].out.push(std::move(routed[i]));
  if (last) {
    st.done = true;
    flush_all(self);
    maybe_quit(self);
  }
}

bool can_read(reader_ptr self) {
  for (auto& c : self->state.channels)
    if (!c.out.can_send())
      return false;
  return true;
}

caf::behavior bulk_reader(reader_ptr self, bulk_reader_config cfg) {
  install_exception_handler(self);
  self->state.cfg = std::move(cfg);
  set_routes(self, self->state.cfg.routes);
  schedule(self);
  self->delayed_send(self, std::chrono::milliseconds{100}, bulk_tick_atom::value);
  return {
      [=](read_atom) {
        auto& st = self->state;
        st.scheduled = false;
        if (st.done || st.draining)
          return;
        if (!can_read(self)) {
          st.waiting = true;
          return;
        }
        read_chunk(self);
        if (!st.done)
          schedule(self);
      },
      [=](bulk_tick_atom) {
        auto& st = self->state;
        flush_all(self);
        std::erase_if(st.retired, [](const channel& c) { return c.idle(); });
        maybe_quit(self);
        self->delayed_send(self, std::chrono::milliseconds{100}, bulk_tick_atom::value);
      },
      [=](const routing_update& update) {
        set_routes(self, update.routes);
        schedule(self);
      },
      [=](drain_atom) {
        auto& st = self->state;
        st.draining = true;
        st.current.reset();
        flush_all(self);
        maybe_quit(self);
      },
  };
}

} // namespace

caf::actor spawn_bulk_reader(caf::local_actor* parent, bulk_reader_config config) {
  return parent->spawn<caf::detached>(bulk_reader, std::move(config));
}

} // namespace bulkd
