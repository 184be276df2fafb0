#include "emulator/faults.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <thread>

using namespace bulkd::emulator;

TEST_CASE("faults: bulk operations are throttled with half the 429 probability",
          "[emulator][faults]") {
  auto spec = *parse_faults("429=0.3,seed=9");
  CHECK(spec.operation_throttle() == Approx(0.15));
  fault_injector a{spec};
  fault_injector b{spec};
  auto first = a.throttle_operations(20000);
  CHECK(first == b.throttle_operations(20000));
  auto throttled = std::count(first.begin(), first.end(), true);
  CHECK(throttled > 2700); // 3000 expected
  CHECK(throttled < 3300);
  CHECK(a.operations_throttled() == static_cast<uint64_t>(throttled));
  // Requests and operations draw from one sequence.
  CHECK(a.next() == b.next());
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
