#pragma once

// credit_channel<T>: the credit-bounded path every bulkd data flow uses, because CAF 0.17 mailboxes
// are unbounded (an unbounded producer pushed ~1 GiB into a slow consumer).
//
// Protocol. Items are sent in batches; each batch is one `request(receiver, infinite,
// std::vector<T>)` and the receiver acknowledges it by answering `caf::ok_atom::value`, at once or
// later through a response_promise. At most `window` batches are unacknowledged at any time. There
// is deliberately no per-request timeout: in CAF 0.17 each one keeps a clock entry (~190 B per
// request) and halves throughput; put one watchdog on top if needed.
//
// Owner contract. The sending actor holds the channel in its state, produces only while
// can_send() is true (e.g. its source stops reading input), and resumes in the on_ack handler.
// flush() sends a partial batch (on a timer or at end of input); idle() tells when everything sent
// has been acknowledged (drain on shutdown).
//
// Memory bound. Per channel at most window × batch items are in flight plus one batch buffered,
// so a sender with R receivers holds at most R × (window + 1) × batch × (size of one item). The
// in-flight batches are shared with the receivers' mailboxes, not copied, as long as receivers
// take the batch as `const std::vector<T>&`; a handler taking `std::vector<T>&` makes CAF copy the
// batch (the channel keeps its reference for error reporting), up to doubling the in-flight part.
// The bound holds only if the owner respects can_send(): push() never drops an item.
//
// Errors. A batch whose request fails (receiver down, error answer, answer other than ok_atom) is
// handed back to the on_error handler together with the error, so nothing is lost silently. The
// channel then stops sending (failed() is true, can_send() is false) until the owner calls
// resume() or retarget(). In CAF 0.17 a receiver that dies while holding response promises never
// answers them: monitor the receiver and call receiver_down() from the down handler, which fails
// every unacknowledged batch. Without an on_error handler a failure quits the owner with the error,
// as CAF does for an unhandled request error.
//
// Items must be inspectable (or be types CAF knows), since batches travel as std::vector<T>.
//
//   struct reader_state { std::optional<credit_channel<record>> out; };
//   self->state.out.emplace(self, worker, credit_channel_options{16, 64});
//   self->state.out->on_ack([=](size_t) { read_more(self); });
//   self->state.out->on_error([=](const caf::error& e, std::vector<record> lost) { ... });
//   void read_more(reader_actor* self) {
//     auto& out = *self->state.out;
//     while (out.can_send() && has_input())
//       out.push(next());
//     if (!has_input())
//       out.flush();
//   }

#include "actors/credit_window.hpp"

#include <caf/actor.hpp>
#include <caf/actor_cast.hpp>
#include <caf/atom.hpp>
#include <caf/error.hpp>
#include <caf/make_message.hpp>
#include <caf/message.hpp>
#include <caf/sec.hpp>
#include <caf/timespan.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <iterator>
#include <memory>
#include <utility>
#include <vector>

namespace bulkd {

struct credit_channel_options {
  size_t window = 16; // unacknowledged batches per receiver (at least 1)
  size_t batch = 64;  // items per batch (at least 1)
};

/// Move-only; a moved-from channel must not be used. Not thread-safe: only its owner touches it.
/// The handlers must not own the channel (e.g. capture a shared_ptr to it): that is a cycle.
template <class T>
class credit_channel {
public:
  using batch_type = std::vector<T>;
  /// Called after a batch of `items` was acknowledged, once the channel has used the returned
  /// credit for what it had buffered.
  using ack_handler = std::function<void(size_t items)>;
  /// Called with the error and the batch that failed.
  using error_handler = std::function<void(const caf::error& err, batch_type batch)>;

  /// `self` is the owning actor (an event-based actor such as stateful_actor<S>); `receiver` any
  /// actor handle whose behavior accepts `std::vector<T>` and answers `ok_atom`.
  template <class Self, class Handle>
  credit_channel(Self* self, const Handle& receiver, credit_channel_options opts = {})
      : st_(std::make_shared<state>(opts)) {
    st_->receiver = caf::actor_cast<caf::actor>(receiver);
    st_->send = [self](const std::shared_ptr<state>& st, uint64_t id, caf::message msg) {
      self->request(st->receiver, caf::infinite, std::move(msg))
          .then([st, id](caf::ok_atom) { st->acked(id); },
                [st, id](caf::error& err) { st->failed(id, std::move(err)); });
    };
    st_->quit = [self](caf::error err) { self->quit(std::move(err)); };
  }

  credit_channel(credit_channel&&) noexcept = default;
  credit_channel& operator=(credit_channel&&) noexcept = default;
  credit_channel(const credit_channel&) = delete;
  credit_channel& operator=(const credit_channel&) = delete;

  void on_ack(ack_handler f) { st_->on_ack = std::move(f); }
  void on_error(error_handler f) { st_->on_error = std::move(f); }

  /// True when push() keeps memory within the bound: the buffer is not full and the channel has
  /// not failed. False means: stop producing until on_ack (or resume()).
  bool can_send() const noexcept { return !st_->failure && st_->buffer.size() < st_->batch_size; }

  /// Buffers the item and sends every full batch the credit allows.
  void push(T item) {
    st_->buffer.push_back(std::move(item));
    if (st_->buffer.size() >= st_->batch_size)
      st_->pump();
  }

  /// Sends what is buffered even if the batch is not full; without credit it goes out with the
  /// next acknowledgement.
  void flush() {
    if (!st_->buffer.empty()) {
      st_->flush_requested = true;
      st_->pump();
    }
  }

  /// Nothing buffered and nothing waiting for an acknowledgement.
  bool idle() const noexcept { return st_->buffer.empty() && st_->unacked.empty(); }

  size_t in_flight() const noexcept { return st_->window.in_flight(); }
  size_t buffered() const noexcept { return st_->buffer.size(); }
  size_t window() const noexcept { return st_->window.capacity(); }
  size_t batch_size() const noexcept { return st_->batch_size; }
  size_t peak_in_flight() const noexcept { return st_->window.peak(); }
  uint64_t batches_sent() const noexcept { return st_->window.acquired(); }
  uint64_t items_sent() const noexcept { return st_->items_sent; }
  uint64_t items_acked() const noexcept { return st_->items_acked; }

  bool failed() const noexcept { return static_cast<bool>(st_->failure); }
  /// The first error since the last resume(); empty when not failed.
  const caf::error& error() const noexcept { return st_->failure; }
  const caf::actor& receiver() const noexcept { return st_->receiver; }

  /// Clears the failure and sends what the credit allows.
  void resume() {
    st_->failure = caf::error{};
    st_->pump();
  }

  /// Sends future batches to another receiver (e.g. a restarted worker) and resumes. Batches still
  /// in flight to the old receiver keep their credit until they are answered or failed.
  template <class Handle>
  void retarget(const Handle& receiver) {
    st_->receiver = caf::actor_cast<caf::actor>(receiver);
    resume();
  }

  /// Fails every unacknowledged batch with `reason` (sec::request_receiver_down when empty) and
  /// stops sending: call it when the receiver is known to be gone. Late answers for those batches
  /// are ignored.
  void receiver_down(caf::error reason = {}) { st_->fail_all(std::move(reason)); }

  /// Removes and returns what is buffered but not sent (e.g. to hand it to another channel).
  batch_type take_buffered() {
    batch_type result;
    result.swap(st_->buffer);
    st_->flush_requested = false;
    return result;
  }

private:
  // Shared with the response handlers, so that the channel itself may move (e.g. inside a vector)
  // while requests are pending.
  struct state : std::enable_shared_from_this<state> {
    struct unacked_batch {
      uint64_t id;
      caf::message msg;
      size_t items;
    };

    explicit state(const credit_channel_options& opts)
        : window(opts.window), batch_size(std::max<size_t>(opts.batch, 1)) {
      buffer.reserve(batch_size);
    }

    std::function<void(const std::shared_ptr<state>&, uint64_t, caf::message)> send;
    std::function<void(caf::error)> quit;
    caf::actor receiver;
    credit_window window;
    size_t batch_size;
    batch_type buffer;
    bool flush_requested = false;
    std::deque<unacked_batch> unacked; // in send order
    uint64_t next_id = 0;
    uint64_t items_sent = 0;
    uint64_t items_acked = 0;
    caf::error failure;
    ack_handler on_ack;
    error_handler on_error;

    void pump() {
      while (!failure && window.has_credit()) {
        if (buffer.size() >= batch_size)
          send_front(batch_size);
        else if (flush_requested && !buffer.empty())
          send_front(buffer.size());
        else
          break;
      }
      if (buffer.empty())
        flush_requested = false;
    }

    void send_front(size_t n) {
      batch_type b;
      if (n == buffer.size()) {
        b.swap(buffer);
        buffer.reserve(batch_size);
      } else {
        auto first = buffer.begin();
        auto last = first + static_cast<std::ptrdiff_t>(n);
        b.assign(std::make_move_iterator(first), std::make_move_iterator(last));
        buffer.erase(first, last);
      }
      window.acquire();
      auto id = next_id++;
      auto msg = caf::make_message(std::move(b));
      unacked.push_back(unacked_batch{id, msg, n});
      items_sent += n;
      send(this->shared_from_this(), id, std::move(msg));
    }

    auto find(uint64_t id) {
      return std::find_if(unacked.begin(), unacked.end(),
                          [id](const unacked_batch& x) { return x.id == id; });
    }

    void acked(uint64_t id) {
      auto i = find(id);
      if (i == unacked.end())
        return; // already failed by receiver_down()
      auto n = i->items;
      unacked.erase(i);
      window.release();
      items_acked += n;
      pump();
      if (on_ack)
        on_ack(n);
    }

    void failed(uint64_t id, caf::error err) {
      auto i = find(id);
      if (i == unacked.end())
        return;
      auto msg = std::move(i->msg);
      unacked.erase(i);
      window.release();
      if (!failure)
        failure = err;
      report(err, std::move(msg));
    }

    void fail_all(caf::error reason) {
      if (!reason)
        reason = caf::make_error(caf::sec::request_receiver_down);
      auto pending = std::move(unacked);
      unacked.clear();
      for (size_t i = 0; i < pending.size(); ++i)
        window.release();
      if (!failure)
        failure = reason;
      for (auto& x : pending)
        report(reason, std::move(x.msg));
    }

    void report(const caf::error& err, caf::message msg) {
      if (on_error)
        on_error(err, msg.move_if_unshared<batch_type>(0));
      else
        quit(err);
    }
  };

  std::shared_ptr<state> st_;
};

} // namespace bulkd
