#pragma once

// Fault injection for the emulator (--faults 429=0.2,503=0.05,latency=20ms,reset=0.01): every
// request draws once from a seeded generator and is answered normally, throttled (429/3200 with
// x-ms-retry-after-ms), refused (503) or dropped (the connection is reset without an answer).
// `latency` delays every request. The same seed gives the same sequence of decisions.
//
// Bulk batches (x-ms-cosmos-batch-atomic: False) are throttled in two steps so that each of
// their operations still meets a 429 with probability P (the 429 probability) per attempt, as a
// request would: the batch as a whole with probability P/2, and when it is not, each operation
// on its own with probability P/(2-P) (one draw per operation, in order): answered 429/3200 with
// retryAfterMilliseconds and not applied, while the others are applied. Transactional batches
// are throttled only as a whole (probability P).

#include <caf/expected.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace bulkd::emulator {

struct fault_spec {
  double throttle = 0;    // "429": probability of 429 (substatus 3200)
  double unavailable = 0; // "503": probability of 503
  double reset = 0;       // "reset": probability of closing the connection without an answer
  std::chrono::milliseconds latency{0};       // "latency": added to every request
  std::chrono::milliseconds retry_after{100}; // "retry-after": x-ms-retry-after-ms on 429s
  uint64_t seed = 0;                          // "seed": 0 = from the clock

  bool any() const { return throttle > 0 || unavailable > 0 || reset > 0 || latency.count() > 0; }
  /// The probability of a bulk batch being throttled as a whole.
  double bulk_throttle() const { return throttle / 2; }
  /// The probability of each operation of a bulk batch not throttled as a whole being throttled
  /// on its own: P/2 + (1 - P/2) * P/(2-P) = P.
  double operation_throttle() const { return throttle <= 0 ? 0 : throttle / (2 - throttle); }
};

/// Parses "429=0.2,503=0.05,latency=20ms,reset=0.01,retry-after=50ms,seed=7". Empty text means
/// no faults. Probabilities lie in [0, 1] and add up to at most 1; durations are NNms or NNs.
/// Errors name the offending token.
caf::expected<fault_spec> parse_faults(std::string_view text);

/// Renders a spec back in the syntax parse_faults reads (for the start banner).
std::string to_string(const fault_spec& spec);

enum class fault_kind { none, throttle, unavailable, reset };

/// Draws decisions; thread-safe.
class fault_injector {
public:
  explicit fault_injector(fault_spec spec);

  const fault_spec& spec() const { return spec_; }

  /// One decision per request; `bulk`: the request is a bulk batch (see bulk_throttle).
  fault_kind next(bool bulk = false);

  /// One draw per operation of a bulk batch, under one lock (a batch's draws are consecutive in
  /// the seeded sequence): true = throttle that operation. No draws without a 429 probability.
  std::vector<bool> throttle_operations(size_t count);

  /// How many operations throttle_operations throttled.
  uint64_t operations_throttled() const { return operations_throttled_.load(); }

private:
  fault_spec spec_;
  std::mutex mutex_;
  std::mt19937_64 rng_;
  std::atomic<uint64_t> operations_throttled_{0};
};

/// The injector whose faults apply to the request this thread serves: set by the server before
/// routing when the request is in the faults' scope, nullptr otherwise. Lets a route fault parts
/// of a request (the operations of a bulk batch).
fault_injector* request_fault_injector();
void set_request_fault_injector(fault_injector* injector);

} // namespace bulkd::emulator
