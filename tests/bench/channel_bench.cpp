// bench_channel: producer -> slow consumer, unbounded `send` vs. credit_channel.
//
//   bench_channel unbounded|credit [--items N] [--bytes S] [--spin-us W] [--window K] [--batch B]
//                                  [--policy stealing|sharing]
//
// Items are std::string of S bytes (default 1 KiB). The consumer busy-spins W µs per item, so it is
// slower than the producer and the unbounded variant builds a backlog in its mailbox. Run each
// variant in its own process: the peak RSS (VmHWM) is that of the whole process. Prints one line
// of key=value pairs (scripts/bench turns them into a table).

#include "actors/credit_channel.hpp"

#include <caf/all.hpp>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>

namespace {

using produce_atom = caf::atom_constant<caf::atom("produce")>;
using done_atom = caf::atom_constant<caf::atom("done")>;
using clock_type = std::chrono::steady_clock;

struct bench_options {
  std::string variant;
  uint64_t items = 2'000'000;
  size_t bytes = 1024;
  int spin_us = 2;
  size_t window = 16;
  size_t batch = 64;
  std::string policy = "stealing"; // CAF's default; the daemon runs with sharing
};

// Peak resident set size of this process in KiB, from /proc/self/status.
uint64_t peak_rss_kib() {
  std::ifstream in{"/proc/self/status"};
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmHWM:", 0) == 0)
      return std::stoull(line.substr(6));
  return 0;
}

void spin(std::chrono::microseconds d) {
  if (d.count() == 0)
    return;
  auto until = clock_type::now() + d;
  while (clock_type::now() < until) {
  }
}

struct consumer_state {
  uint64_t received = 0;
  size_t max_mailbox = 0; // messages queued behind the current one
  uint64_t checksum = 0;
};

// Handles both single items (unbounded) and batches (credit); reports to `done` after `total`.
caf::behavior consumer(caf::stateful_actor<consumer_state>* self, caf::actor done, uint64_t total,
                       std::chrono::microseconds per_item) {
  auto finish_if_done = [=] {
    if (self->state.received == total)
      self->send(done, done_atom::value, self->state.max_mailbox, self->state.checksum);
  };
  return {
      [=](const std::string& item) {
        auto& st = self->state;
        if ((st.received & 255) == 0)
          st.max_mailbox = std::max(st.max_mailbox, self->mailbox().size());
        spin(per_item);
        st.checksum += item.size();
        ++st.received;
        finish_if_done();
      },
      [=](const std::vector<std::string>& batch) {
        auto& st = self->state;
        st.max_mailbox = std::max(st.max_mailbox, self->mailbox().size());
        for (auto& item : batch) {
          spin(per_item);
          st.checksum += item.size();
        }
        st.received += batch.size();
        finish_if_done();
        return caf::ok_atom::value;
      },
  };
}

// Sends every item with its own `send`, in chunks so that it interleaves like a source actor.
caf::behavior unbounded_producer(caf::event_based_actor* self, caf::actor sink, uint64_t total,
                                 size_t bytes) {
  auto sent = std::make_shared<uint64_t>(0);
  return {
      [=](produce_atom) {
        for (int i = 0; i < 1024 && *sent < total; ++i, ++*sent)
          self->send(sink, std::string(bytes, 'x'));
        if (*sent < total)
          self->send(self, produce_atom::value);
      },
  };
}

struct credit_producer_state {
  std::optional<bulkd::credit_channel<std::string>> out;
  uint64_t produced = 0;
};

caf::behavior credit_producer(caf::stateful_actor<credit_producer_state>* self, caf::actor sink,
                              uint64_t total, size_t bytes, bulkd::credit_channel_options opts) {
  auto produce = [=] {
    auto& st = self->state;
    while (st.produced < total && st.out->can_send()) {
      st.out->push(std::string(bytes, 'x'));
      ++st.produced;
    }
    if (st.produced == total)
      st.out->flush();
  };
  self->state.out.emplace(self, sink, opts);
  self->state.out->on_ack([=](size_t) { produce(); });
  self->state.out->on_error([=](const caf::error& err, std::vector<std::string> batch) {
    std::cerr << "batch of " << batch.size() << " failed: " << self->home_system().render(err)
              << '\n';
    self->quit(err);
  });
  return {
      [=](produce_atom) { produce(); },
  };
}

std::optional<bench_options> parse(int argc, char** argv) {
  if (argc < 2)
    return std::nullopt;
  bench_options opts;
  opts.variant = argv[1];
  if (opts.variant != "unbounded" && opts.variant != "credit")
    return std::nullopt;
  for (int i = 2; i + 1 < argc; i += 2) {
    std::string_view key = argv[i];
    if (key == "--policy") {
      opts.policy = argv[i + 1];
      if (opts.policy != "stealing" && opts.policy != "sharing")
        return std::nullopt;
      continue;
    }
    uint64_t value = 0;
    try {
      value = std::stoull(argv[i + 1]);
    } catch (const std::exception&) {
      return std::nullopt;
    }
    if (key == "--items")
      opts.items = value;
    else if (key == "--bytes")
      opts.bytes = value;
    else if (key == "--spin-us")
      opts.spin_us = static_cast<int>(value);
    else if (key == "--window")
      opts.window = value;
    else if (key == "--batch")
      opts.batch = value;
    else
      return std::nullopt;
  }
  if (argc % 2 != 0)
    return std::nullopt;
  return opts;
}

} // namespace

int main(int argc, char** argv) {
  auto parsed = parse(argc, argv);
  if (!parsed) {
    std::cerr << "usage: bench_channel unbounded|credit [--items N] [--bytes S] [--spin-us W]"
                 " [--window K] [--batch B] [--policy stealing|sharing]\n";
    return 2;
  }
  auto& opts = *parsed;
  caf::actor_system_config cfg;
  cfg.set("scheduler.policy",
          opts.policy == "sharing" ? caf::atom("sharing") : caf::atom("stealing"));
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};
  auto sink =
      sys.spawn(consumer, caf::actor{self}, opts.items, std::chrono::microseconds{opts.spin_us});
  caf::actor source;
  if (opts.variant == "unbounded")
    source = sys.spawn(unbounded_producer, sink, opts.items, opts.bytes);
  else
    source = sys.spawn(credit_producer, sink, opts.items, opts.bytes,
                       bulkd::credit_channel_options{opts.window, opts.batch});
  auto start = clock_type::now();
  self->send(source, produce_atom::value);
  size_t max_mailbox = 0;
  uint64_t checksum = 0;
  self->receive([&](done_atom, size_t mb, uint64_t sum) {
    max_mailbox = mb;
    checksum = sum;
  });
  std::chrono::duration<double> elapsed = clock_type::now() - start;
  self->send_exit(source, caf::exit_reason::user_shutdown);
  self->send_exit(sink, caf::exit_reason::user_shutdown);
  if (checksum != opts.items * opts.bytes) {
    std::cerr << "lost items: checksum " << checksum << '\n';
    return 1;
  }
  auto batch = opts.variant == "credit" ? opts.batch : size_t{1};
  std::printf("variant=%s items=%llu bytes=%zu spin_us=%d window=%zu batch=%zu seconds=%.2f "
              "items_per_s=%.0f peak_rss_mib=%.1f max_backlog_items=%zu policy=%s\n",
              opts.variant.c_str(), static_cast<unsigned long long>(opts.items), opts.bytes,
              opts.spin_us, opts.variant == "credit" ? opts.window : size_t{0}, batch,
              elapsed.count(), static_cast<double>(opts.items) / elapsed.count(),
              static_cast<double>(peak_rss_kib()) / 1024.0, max_mailbox * batch,
              opts.policy.c_str());
  return 0;
}
