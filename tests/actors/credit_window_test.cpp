#include "actors/credit_window.hpp"

#include <catch2/catch.hpp>

using bulkd::credit_window;

TEST_CASE("credit_window hands out at most capacity credits", "[credit_window]") {
  credit_window w{3};
  CHECK(w.capacity() == 3);
  CHECK(w.available() == 3);
  CHECK(w.acquire());
  CHECK(w.acquire());
  CHECK(w.acquire());
  CHECK_FALSE(w.has_credit());
  CHECK_FALSE(w.acquire());
  CHECK(w.in_flight() == 3);
  CHECK(w.available() == 0);
  CHECK(w.acquired() == 3);
}

TEST_CASE("credit_window release returns credit and refuses underflow", "[credit_window]") {
  credit_window w{2};
  CHECK_FALSE(w.release());
  CHECK(w.released() == 0);
  REQUIRE(w.acquire());
  REQUIRE(w.acquire());
  CHECK(w.release());
  CHECK(w.in_flight() == 1);
  CHECK(w.has_credit());
  CHECK(w.acquire());
  CHECK(w.release());
  CHECK(w.release());
  CHECK_FALSE(w.release());
  CHECK(w.in_flight() == 0);
  CHECK(w.acquired() == 3);
  CHECK(w.released() == 3);
}

TEST_CASE("credit_window remembers its peak", "[credit_window]") {
  credit_window w{4};
  CHECK(w.peak() == 0);
  w.acquire();
  w.acquire();
  w.release();
  w.acquire();
  CHECK(w.peak() == 2);
  w.acquire();
  w.acquire();
  CHECK(w.peak() == 4);
  w.release();
  CHECK(w.peak() == 4);
}

TEST_CASE("credit_window of capacity zero is raised to one", "[credit_window]") {
  credit_window w{0};
  CHECK(w.capacity() == 1);
  CHECK(w.acquire());
  CHECK_FALSE(w.acquire());
}
