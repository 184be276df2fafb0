#include "actors/credit_channel.hpp"
#include "clients/error.hpp"

#include <caf/all.hpp>
#include <catch2/catch.hpp>

#include <chrono>
#include <deque>
#include <numeric>
#include <optional>
#include <string>
#include <vector>

using namespace std::chrono_literals;
using bulkd::credit_channel;
using bulkd::credit_channel_options;

namespace {

using produce_atom = caf::atom_constant<caf::atom("produce")>;
using release_atom = caf::atom_constant<caf::atom("release")>;
using done_atom = caf::atom_constant<caf::atom("done")>;

// -- consumer: acks each batch through a response promise, now or when released --------------

struct consumer_state {
  std::vector<int> received;
  std::vector<size_t> batch_sizes;
  std::deque<caf::response_promise> held; // batches not acknowledged yet
  bool hold = false;
  // Batches the consumer has been given but not acknowledged, counted on arrival of each batch:
  // the ones still in its mailbox, the held ones and the current one (exact only without
  // ack_delay, whose timer messages also sit in the mailbox).
  size_t max_outstanding = 0;
  size_t max_mailbox = 0;
  size_t max_held = 0;
  int reject = -1; // a batch holding this item is answered with an error
  std::chrono::microseconds ack_delay{0};
};

caf::behavior consumer(caf::stateful_actor<consumer_state>* self, bool hold,
                       std::chrono::microseconds ack_delay) {
  self->state.hold = hold;
  self->state.ack_delay = ack_delay;
  return {
      [=](const std::vector<int>& batch) -> caf::result<caf::ok_atom> {
        auto& st = self->state;
        auto queued = self->mailbox().size();
        st.max_mailbox = std::max(st.max_mailbox, queued);
        st.max_outstanding = std::max(st.max_outstanding, queued + st.held.size() + 1);
        if (std::find(batch.begin(), batch.end(), st.reject) != batch.end())
          return bulkd::make_error(bulkd::ec::invalid_argument, "rejected batch");
        st.received.insert(st.received.end(), batch.begin(), batch.end());
        st.batch_sizes.push_back(batch.size());
        if (!st.hold && st.ack_delay.count() == 0)
          return caf::ok_atom::value;
        st.held.push_back(self->make_response_promise());
        st.max_held = std::max(st.max_held, st.held.size());
        if (!st.hold)
          self->delayed_send(self, st.ack_delay, release_atom::value, size_t{1});
        return caf::delegated<caf::ok_atom>{};
      },
      // Acknowledges the n oldest held batches.
      [=](release_atom, size_t n) {
        auto& held = self->state.held;
        for (; n > 0 && !held.empty(); --n) {
          held.front().deliver(caf::ok_atom::value);
          held.pop_front();
        }
      },
      // Acknowledges the newest held batch first.
      [=](release_atom, caf::atom_value) {
        auto& held = self->state.held;
        while (!held.empty()) {
          held.back().deliver(caf::ok_atom::value);
          held.pop_back();
        }
      },
      [=](caf::get_atom) {
        auto& st = self->state;
        return caf::make_message(st.received, st.max_mailbox, st.max_held);
      },
  };
}

// -- producer: pushes 0..total-1 while can_send(), resumes on ack -----------------------------

struct producer_state {
  std::optional<credit_channel<int>> out;
  int next = 0;
  int total = 0;
  bool auto_flush = true; // flush at end of input
  bool greedy = false;    // ignores can_send() (misbehaving owner)
  bool resume_on_error = false;
  size_t stalls = 0; // times production stopped for lack of credit
  size_t max_in_flight = 0;
  std::vector<std::pair<caf::error, std::vector<int>>> errors;
  caf::actor report_to; // gets done_atom once everything is acknowledged
  bool reported = false;
};

using producer_actor = caf::stateful_actor<producer_state>;

void produce(producer_actor* self) {
  auto& st = self->state;
  auto& out = *st.out;
  while (st.next < st.total && (st.greedy || out.can_send())) {
    out.push(st.next++);
    st.max_in_flight = std::max(st.max_in_flight, out.in_flight());
  }
  if (st.next < st.total) {
    ++st.stalls;
    return;
  }
  if (st.auto_flush)
    out.flush();
  st.max_in_flight = std::max(st.max_in_flight, out.in_flight());
  if (out.idle() && st.report_to && !st.reported) {
    st.reported = true;
    self->send(st.report_to, done_atom::value, static_cast<uint64_t>(st.stalls),
               static_cast<uint64_t>(st.max_in_flight));
  }
}

struct producer_config {
  int total = 100;
  credit_channel_options opts;
  bool auto_flush = true;
  bool greedy = false;
  bool resume_on_error = false;
  bool monitor = true; // call receiver_down() when the receiver goes down
  caf::actor report_to;
};

producer_config make_config(int total, size_t window, size_t batch) {
  producer_config result;
  result.total = total;
  result.opts.window = window;
  result.opts.batch = batch;
  return result;
}

caf::behavior producer(producer_actor* self, caf::actor receiver, producer_config cfg) {
  auto& st = self->state;
  st.total = cfg.total;
  st.auto_flush = cfg.auto_flush;
  st.greedy = cfg.greedy;
  st.resume_on_error = cfg.resume_on_error;
  st.report_to = cfg.report_to;
  st.out.emplace(self, receiver, cfg.opts);
  st.out->on_ack([=](size_t) { produce(self); });
  st.out->on_error([=](const caf::error& err, std::vector<int> batch) {
    self->state.errors.emplace_back(err, std::move(batch));
    if (self->state.resume_on_error) {
      self->state.out->resume();
      produce(self);
    }
  });
  if (cfg.monitor)
    self->monitor(receiver);
  self->set_down_handler([=](caf::down_msg& dm) {
    if (dm.source == self->state.out->receiver().address())
      self->state.out->receiver_down(dm.reason);
  });
  return {
      [=](produce_atom) { produce(self); },
      [=](caf::flush_atom) { self->state.out->flush(); },
      [=](caf::actor next) {
        self->monitor(next);
        self->state.out->retarget(next);
        produce(self);
      },
  };
}

std::vector<int> iota(int from, int to) {
  std::vector<int> result(static_cast<size_t>(to - from));
  std::iota(result.begin(), result.end(), from);
  return result;
}

// -- deterministic fixture (scheduler.policy = testing) ---------------------------------------

caf::actor_system_config& testing_config(caf::actor_system_config& cfg) {
  cfg.set("scheduler.policy", caf::atom("testing"));
  cfg.set("logger.inline-output", true);
  return cfg;
}

struct det_fixture {
  caf::actor_system_config cfg;
  caf::actor_system sys{testing_config(cfg)};
  caf::scoped_actor self{sys, true};
  caf::scheduler::test_coordinator& sched =
      dynamic_cast<caf::scheduler::test_coordinator&>(sys.scheduler());

  ~det_fixture() {
    for (auto& a : actors)
      self->send_exit(a, caf::exit_reason::user_shutdown);
    sched.run();
  }

  template <class S>
  S& state_of(const caf::actor& a) {
    return dynamic_cast<caf::stateful_actor<S>&>(*caf::actor_cast<caf::abstract_actor*>(a)).state;
  }

  caf::actor spawn_consumer(bool hold) {
    auto a = sys.spawn(consumer, hold, std::chrono::microseconds{0});
    actors.push_back(a);
    return a;
  }

  caf::actor spawn_producer(const caf::actor& receiver, producer_config pc) {
    auto a = sys.spawn(producer, receiver, std::move(pc));
    actors.push_back(a);
    sched.run();
    return a;
  }

  std::vector<caf::actor> actors;
};

} // namespace

TEST_CASE_METHOD(det_fixture, "credit_channel keeps at most window batches unacknowledged",
                 "[credit_channel]") {
  auto con = spawn_consumer(true);
  auto pro = spawn_producer(con, make_config(1000, 4, 3));
  auto& ps = state_of<producer_state>(pro);
  auto& cs = state_of<consumer_state>(con);
  self->send(pro, produce_atom::value);
  sched.run();
  // 4 batches in flight, one full batch buffered; then the producer stopped.
  CHECK(ps.out->in_flight() == 4);
  CHECK(ps.out->buffered() == 3);
  CHECK_FALSE(ps.out->can_send());
  CHECK(ps.next == 15);
  CHECK(ps.stalls == 1);
  CHECK(cs.received == iota(0, 12));
  CHECK(cs.held.size() == 4);
  // Releasing one ack lets exactly one more batch through, and the producer refills its buffer.
  for (int round = 0; round < 20; ++round) {
    self->send(con, release_atom::value, size_t{1});
    sched.run();
    REQUIRE(ps.out->in_flight() == 4);
    REQUIRE(ps.next == 15 + 3 * (round + 1));
    REQUIRE(cs.received.size() == 12 + 3 * static_cast<size_t>(round + 1));
  }
  CHECK(ps.stalls == 21);
  CHECK(cs.max_outstanding == 4);
  CHECK(ps.out->peak_in_flight() == 4);
}

TEST_CASE_METHOD(det_fixture, "credit_channel bounds the consumer mailbox with a slow consumer",
                 "[credit_channel]") {
  auto con = spawn_consumer(true);
  auto pro = spawn_producer(con, make_config(500, 5, 7));
  auto& ps = state_of<producer_state>(pro);
  auto& cs = state_of<consumer_state>(con);
  self->send(pro, produce_atom::value);
  // Let the producer run ahead of the consumer: it must still stop after 5 batches.
  sched.run_jobs_filtered([&](caf::resumable* r) {
    return r == dynamic_cast<caf::resumable*>(caf::actor_cast<caf::abstract_actor*>(pro));
  });
  CHECK(ps.out->in_flight() == 5);
  CHECK(ps.next == 5 * 7 + 7);
  sched.run();
  CHECK(cs.max_mailbox == 4); // the 5 batches were queued at once; one is being handled
  // Acknowledge two at a time until everything has arrived.
  while (cs.received.size() < 500) {
    self->send(con, release_atom::value, size_t{2});
    sched.run();
    REQUIRE(ps.out->in_flight() <= 5);
  }
  self->send(con, release_atom::value, size_t{100});
  sched.run();
  CHECK(cs.received == iota(0, 500));
  CHECK(cs.max_outstanding <= 5);
  CHECK(cs.max_mailbox <= 4);
  CHECK(ps.out->idle());
  CHECK(ps.errors.empty());
}

TEST_CASE_METHOD(det_fixture, "credit_channel delivers every item once and in order",
                 "[credit_channel]") {
  auto con = spawn_consumer(false);
  auto pro = spawn_producer(con, make_config(100, 3, 8));
  self->send(pro, produce_atom::value);
  sched.run();
  auto& cs = state_of<consumer_state>(con);
  auto& ps = state_of<producer_state>(pro);
  CHECK(cs.received == iota(0, 100));
  // 12 full batches and the partial final one, flushed at end of input.
  std::vector<size_t> expected(12, 8);
  expected.push_back(4);
  CHECK(cs.batch_sizes == expected);
  CHECK(ps.out->items_sent() == 100);
  CHECK(ps.out->items_acked() == 100);
  CHECK(ps.out->batches_sent() == 13);
  CHECK(ps.out->idle());
  CHECK(ps.errors.empty());
}

TEST_CASE_METHOD(det_fixture, "credit_channel accepts acknowledgements out of order",
                 "[credit_channel]") {
  auto con = spawn_consumer(true);
  auto pro = spawn_producer(con, make_config(50, 4, 4));
  auto& cs = state_of<consumer_state>(con);
  auto& ps = state_of<producer_state>(pro);
  self->send(pro, produce_atom::value);
  sched.run();
  while (!ps.out->idle()) {
    REQUIRE(ps.out->in_flight() > 0);
    self->send(con, release_atom::value, caf::atom("newest"));
    sched.run();
  }
  CHECK(cs.received == iota(0, 50));
  CHECK(cs.max_outstanding <= 4);
  CHECK(ps.out->items_acked() == 50);
}

TEST_CASE_METHOD(det_fixture, "credit_channel bounds in-flight batches even for a greedy owner",
                 "[credit_channel]") {
  auto con = spawn_consumer(true);
  auto pc = make_config(50, 2, 4);
  pc.greedy = true;
  auto pro = spawn_producer(con, pc);
  auto& cs = state_of<consumer_state>(con);
  auto& ps = state_of<producer_state>(pro);
  self->send(pro, produce_atom::value);
  sched.run();
  // push() never drops: the rest waits in the buffer, but only 2 batches are in flight.
  CHECK(ps.next == 50);
  CHECK(ps.out->in_flight() == 2);
  CHECK(ps.out->buffered() == 42);
  CHECK_FALSE(ps.out->can_send());
  while (!ps.out->idle()) {
    self->send(con, release_atom::value, size_t{1});
    sched.run();
    REQUIRE(ps.out->in_flight() <= 2);
  }
  CHECK(cs.received == iota(0, 50));
  std::vector<size_t> expected(12, 4);
  expected.push_back(2);
  CHECK(cs.batch_sizes == expected);
  CHECK(cs.max_outstanding <= 2);
}

TEST_CASE_METHOD(det_fixture, "credit_channel idle() covers buffered and in-flight items",
                 "[credit_channel]") {
  auto con = spawn_consumer(true);
  auto pc = make_config(5, 2, 8);
  pc.auto_flush = false;
  auto pro = spawn_producer(con, pc);
  auto& ps = state_of<producer_state>(pro);
  auto& cs = state_of<consumer_state>(con);
  CHECK(ps.out->idle());
  self->send(pro, produce_atom::value);
  sched.run();
  // Buffered, not sent: a partial batch waits for flush().
  CHECK(ps.out->buffered() == 5);
  CHECK(ps.out->in_flight() == 0);
  CHECK_FALSE(ps.out->idle());
  CHECK(cs.received.empty());
  self->send(pro, caf::flush_atom::value);
  sched.run();
  CHECK(ps.out->buffered() == 0);
  CHECK(ps.out->in_flight() == 1);
  CHECK_FALSE(ps.out->idle());
  CHECK(cs.received == iota(0, 5));
  self->send(con, release_atom::value, size_t{1});
  sched.run();
  CHECK(ps.out->idle());
}

TEST_CASE_METHOD(det_fixture, "credit_channel flush without credit waits for the next ack",
                 "[credit_channel]") {
  auto con = spawn_consumer(true);
  auto pc = make_config(10, 1, 4);
  pc.auto_flush = false;
  auto pro = spawn_producer(con, pc);
  auto& ps = state_of<producer_state>(pro);
  auto& cs = state_of<consumer_state>(con);
  self->send(pro, produce_atom::value);
  sched.run();
  CHECK(ps.out->in_flight() == 1);
  CHECK(ps.out->buffered() == 4);
  CHECK(ps.next == 8);
  self->send(con, release_atom::value, size_t{1});
  sched.run();
  CHECK(ps.next == 10);
  CHECK(ps.out->buffered() == 2);
  self->send(pro, caf::flush_atom::value);
  sched.run();
  CHECK(ps.out->buffered() == 2); // no credit yet
  self->send(con, release_atom::value, size_t{1});
  sched.run();
  CHECK(ps.out->buffered() == 0);
  CHECK(ps.out->in_flight() == 1);
  self->send(con, release_atom::value, size_t{1});
  sched.run();
  CHECK(ps.out->idle());
  CHECK(cs.batch_sizes == std::vector<size_t>{4, 4, 2});
  CHECK(cs.received == iota(0, 10));
}

TEST_CASE_METHOD(det_fixture, "credit_channel reports unacked batches of a receiver that died",
                 "[credit_channel]") {
  auto con = spawn_consumer(true);
  auto pro = spawn_producer(con, make_config(100, 3, 5));
  auto& ps = state_of<producer_state>(pro);
  self->send(pro, produce_atom::value);
  sched.run();
  REQUIRE(ps.out->in_flight() == 3);
  self->send_exit(con, bulkd::make_error(bulkd::ec::worker_failed, "consumer crashed"));
  sched.run();
  REQUIRE(ps.errors.size() == 3);
  for (size_t i = 0; i < 3; ++i) {
    CHECK(bulkd::render(ps.errors[i].first) == "worker_failed: consumer crashed");
    auto first = static_cast<int>(i) * 5;
    CHECK(ps.errors[i].second == iota(first, first + 5));
  }
  CHECK(ps.out->failed());
  CHECK(bulkd::render(ps.out->error()) == "worker_failed: consumer crashed");
  CHECK_FALSE(ps.out->can_send());
  CHECK(ps.out->in_flight() == 0);
  // The buffered batch was never sent; the owner gets it back.
  CHECK(ps.out->take_buffered() == iota(15, 20));
  CHECK(ps.out->idle());
}

TEST_CASE_METHOD(det_fixture,
                 "credit_channel needs receiver_down for promises a dead receiver held",
                 "[credit_channel]") {
  // CAF 0.17 drops the response promises of a terminated actor without answering them.
  auto con = spawn_consumer(true);
  auto pc = make_config(100, 3, 5);
  pc.monitor = false;
  auto pro = spawn_producer(con, pc);
  auto& ps = state_of<producer_state>(pro);
  self->send(pro, produce_atom::value);
  sched.run();
  self->send_exit(con, caf::exit_reason::kill);
  sched.run();
  CHECK(ps.errors.empty());
  CHECK(ps.out->in_flight() == 3);
  CHECK_FALSE(ps.out->idle());
}

TEST_CASE_METHOD(det_fixture, "credit_channel retargets to a replacement receiver",
                 "[credit_channel]") {
  auto con = spawn_consumer(true);
  auto pro = spawn_producer(con, make_config(100, 3, 5));
  auto& ps = state_of<producer_state>(pro);
  self->send(pro, produce_atom::value);
  sched.run();
  self->send_exit(con, caf::exit_reason::kill);
  sched.run();
  REQUIRE(ps.errors.size() == 3);
  CHECK(ps.out->buffered() == 5);
  auto next = spawn_consumer(false);
  self->send(pro, next);
  sched.run();
  // The failed batches went back to the owner, everything after them to the new receiver.
  std::vector<int> failed;
  for (auto& [err, batch] : ps.errors) {
    CHECK(err == caf::exit_reason::kill);
    failed.insert(failed.end(), batch.begin(), batch.end());
  }
  CHECK(failed == iota(0, 15));
  CHECK(state_of<consumer_state>(next).received == iota(15, 100));
  CHECK_FALSE(ps.out->failed());
  CHECK(ps.out->idle());
}

TEST_CASE_METHOD(det_fixture, "credit_channel stops before sending when the receiver is down",
                 "[credit_channel]") {
  auto con = spawn_consumer(false);
  self->send_exit(con, caf::exit_reason::kill);
  sched.run();
  auto pro = spawn_producer(con, make_config(30, 2, 4));
  auto& ps = state_of<producer_state>(pro);
  self->send(pro, produce_atom::value);
  sched.run();
  CHECK(ps.out->failed());
  CHECK(ps.out->error() == caf::exit_reason::kill);
  CHECK(ps.errors.empty());
  CHECK(ps.out->batches_sent() == 0);
  CHECK(ps.next == 0);
}

TEST_CASE_METHOD(det_fixture, "credit_channel reports batches sent to an already dead receiver",
                 "[credit_channel]") {
  auto con = spawn_consumer(false);
  self->send_exit(con, caf::exit_reason::kill);
  sched.run();
  // Without a monitor the failed requests themselves report the loss.
  auto pc = make_config(30, 2, 4);
  pc.monitor = false;
  auto pro = spawn_producer(con, pc);
  auto& ps = state_of<producer_state>(pro);
  self->send(pro, produce_atom::value);
  sched.run();
  // Both batches of the window were sent before the first error came back; both are returned.
  REQUIRE(ps.errors.size() == 2);
  CHECK(ps.errors[0].first == caf::sec::request_receiver_down);
  CHECK(ps.errors[0].second == iota(0, 4));
  CHECK(ps.errors[1].first == caf::sec::request_receiver_down);
  CHECK(ps.errors[1].second == iota(4, 8));
  CHECK(ps.out->failed());
  CHECK_FALSE(ps.out->can_send());
  CHECK(ps.out->in_flight() == 0);
}

TEST_CASE_METHOD(det_fixture, "credit_channel returns a rejected batch and can resume",
                 "[credit_channel]") {
  auto con = spawn_consumer(false);
  auto& cs = state_of<consumer_state>(con);
  cs.reject = 13;
  auto pc = make_config(40, 3, 5);
  pc.resume_on_error = true;
  auto pro = spawn_producer(con, pc);
  auto& ps = state_of<producer_state>(pro);
  self->send(pro, produce_atom::value);
  sched.run();
  REQUIRE(ps.errors.size() == 1);
  CHECK(bulkd::render(ps.errors[0].first) == "invalid_argument: rejected batch");
  CHECK(ps.errors[0].second == iota(10, 15));
  auto expected = iota(0, 10);
  auto rest = iota(15, 40);
  expected.insert(expected.end(), rest.begin(), rest.end());
  CHECK(cs.received == expected);
  CHECK_FALSE(ps.out->failed());
  CHECK(ps.out->idle());
}

TEST_CASE_METHOD(det_fixture, "credit_channel without error handler quits its owner",
                 "[credit_channel]") {
  auto con = spawn_consumer(false);
  self->send_exit(con, caf::exit_reason::kill);
  sched.run();
  // Spawn arguments rather than captures: CAF 0.17 dereferences a null pointer (UBSan) when
  // spawning a function without arguments.
  auto owner = sys.spawn(
      [](caf::event_based_actor* self, caf::actor receiver) -> caf::behavior {
        auto out =
            std::make_shared<credit_channel<int>>(self, receiver, credit_channel_options{1, 1});
        return {[=](produce_atom) { out->push(1); }};
      },
      con);
  self->monitor(owner);
  self->send(owner, produce_atom::value);
  sched.run();
  caf::error reason;
  self->receive([&](caf::down_msg& dm) { reason = dm.reason; });
  CHECK(reason == caf::sec::request_receiver_down);
}

TEST_CASE_METHOD(det_fixture, "credit_channel can live in a vector that reallocates",
                 "[credit_channel]") {
  std::vector<caf::actor> cons;
  for (int i = 0; i < 3; ++i)
    cons.push_back(spawn_consumer(false));
  // One channel per receiver; the vector grows while requests of the first channel are pending.
  auto owner = sys.spawn(
      [](caf::event_based_actor* self, std::vector<caf::actor> receivers) -> caf::behavior {
        auto outs = std::make_shared<std::vector<credit_channel<int>>>();
        return {[=](produce_atom) {
          for (size_t i = 0; i < receivers.size(); ++i) {
            outs->emplace_back(self, receivers[i], credit_channel_options{2, 2});
            for (int x = 0; x < 4; ++x)
              outs->back().push(static_cast<int>(i) * 100 + x);
          }
        }};
      },
      cons);
  actors.push_back(owner);
  self->send(owner, produce_atom::value);
  sched.run();
  for (int i = 0; i < 3; ++i) {
    auto& cs = state_of<consumer_state>(cons[static_cast<size_t>(i)]);
    CHECK(cs.received == iota(i * 100, i * 100 + 4));
  }
}

// -- real scheduler ---------------------------------------------------------------------------

TEST_CASE("credit_channel under the real scheduler with delayed acks", "[credit_channel]") {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  caf::scoped_actor self{sys};
  // Each ack comes 200 µs after its batch arrived: the producer is far faster than the consumer.
  auto con = sys.spawn(consumer, false, std::chrono::microseconds{200});
  auto pc = make_config(20000, 4, 16);
  pc.report_to = self;
  auto pro = sys.spawn(producer, con, pc);
  self->send(pro, produce_atom::value);
  uint64_t stalls = 0;
  uint64_t max_in_flight = 0;
  self->receive(
      [&](done_atom, uint64_t s, uint64_t m) {
        stalls = s;
        max_in_flight = m;
      },
      caf::after(60s) >> [] { FAIL("producer did not finish"); });
  // The producer had to stop for credit, and never had more than the window in flight.
  CHECK(stalls > 0);
  CHECK(max_in_flight <= 4);
  self->request(con, 10s, caf::get_atom::value)
      .receive(
          [&](const std::vector<int>& received, size_t max_mailbox, size_t max_held) {
            CHECK(received == iota(0, 20000));
            // Seen from inside the consumer: queued batches plus the one being handled plus the
            // held ones never exceed the window. Each queued ack timer belongs to a held batch, so
            // the mailbox (batches and timers) stays below the window too.
            CHECK(max_mailbox < 4);
            CHECK(max_held <= 4);
            CHECK(max_held >= 1);
          },
          [&](caf::error& err) { FAIL(sys.render(err)); });
  self->send_exit(pro, caf::exit_reason::user_shutdown);
  self->send_exit(con, caf::exit_reason::user_shutdown);
}

TEST_CASE_METHOD(det_fixture, "credit_channel sends to a typed receiver", "[credit_channel]") {
  using sink_actor = caf::typed_actor<caf::replies_to<std::vector<int>>::with<caf::ok_atom>>;
  auto received = std::make_shared<std::vector<int>>();
  auto sink = sys.spawn(
      [](std::shared_ptr<std::vector<int>> into) -> sink_actor::behavior_type {
        return {[into](const std::vector<int>& batch) {
          into->insert(into->end(), batch.begin(), batch.end());
          return caf::ok_atom::value;
        }};
      },
      received);
  auto owner = sys.spawn(
      [](caf::event_based_actor* self, sink_actor receiver) -> caf::behavior {
        auto out =
            std::make_shared<credit_channel<int>>(self, receiver, credit_channel_options{2, 3});
        return {[=](produce_atom) {
          for (int i = 0; i < 10; ++i)
            out->push(i);
          out->flush();
        }};
      },
      sink);
  actors.push_back(owner);
  self->send(owner, produce_atom::value);
  sched.run();
  CHECK(*received == iota(0, 10));
  self->send_exit(sink, caf::exit_reason::user_shutdown);
}
