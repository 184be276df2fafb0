#include "emulator/faults.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <thread>

using namespace bulkd::emulator;

TEST_CASE("faults: a bulk operation meets a 429 with the 429 probability per attempt",
          "[emulator][faults]") {
  auto spec = *parse_faults("429=0.3,seed=9");
  CHECK(spec.bulk_throttle() == Approx(0.15));
  CHECK(spec.operation_throttle() == Approx(0.3 / 1.7));
  CHECK(spec.bulk_throttle() + (1 - spec.bulk_throttle()) * spec.operation_throttle() ==
        Approx(0.3));
  fault_injector a{spec};
  fault_injector b{spec};
  auto first = a.throttle_operations(20000);
  CHECK(first == b.throttle_operations(20000));
  auto throttled = std::count(first.begin(), first.end(), true);
  CHECK(throttled > 3200); // 3529 expected
  CHECK(throttled < 3850);
  CHECK(a.operations_throttled() == static_cast<uint64_t>(throttled));
  // Requests and operations draw from one sequence.
  CHECK(a.next() == b.next());
}

TEST_CASE("faults: bulk batches are throttled as a whole with half the 429 probability",
          "[emulator][faults]") {
  auto spec = *parse_faults("429=1,seed=4");
  CHECK(spec.operation_throttle() == 1);
  fault_injector injector{spec};
  int whole = 0;
  for (int i = 0; i < 10000; ++i) {
    CHECK(injector.next() == fault_kind::throttle);
    if (injector.next(true) == fault_kind::throttle)
      ++whole;
  }
  CHECK(whole > 4700);
  CHECK(whole < 5300);
  // 503 keeps its probability for bulk batches.
  fault_injector mixed{*parse_faults("429=0.4,503=0.6,seed=4")};
  int unavailable = 0;
  for (int i = 0; i < 10000; ++i)
    if (mixed.next(true) == fault_kind::unavailable)
      ++unavailable;
  CHECK(unavailable > 5700);
  CHECK(unavailable < 6300);
}

TEST_CASE("faults: without a 429 probability operations are never throttled and draw nothing",
          "[emulator][faults]") {
  auto spec = *parse_faults("503=0.5,seed=3");
  CHECK(spec.operation_throttle() == 0);
  fault_injector a{spec};
  fault_injector b{spec};
  auto none = a.throttle_operations(100);
  CHECK(std::count(none.begin(), none.end(), true) == 0);
  CHECK(a.operations_throttled() == 0);
  // The request decisions are the same as without the call.
  for (int i = 0; i < 50; ++i)
    CHECK(a.next() == b.next());
}

TEST_CASE("faults: the request's injector is per thread", "[emulator][faults]") {
  fault_injector injector{fault_spec{}};
  CHECK(request_fault_injector() == nullptr);
  set_request_fault_injector(&injector);
  CHECK(request_fault_injector() == &injector);
  fault_injector* seen_elsewhere = &injector;
  std::thread other{[&] { seen_elsewhere = request_fault_injector(); }};
  other.join();
  CHECK(seen_elsewhere == nullptr);
  set_request_fault_injector(nullptr);
}
