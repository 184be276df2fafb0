#include "clients/error.hpp"

#include <caf/sec.hpp>
#include <catch2/catch.hpp>

TEST_CASE("bulkd errors render their code and message") {
  auto err = bulkd::make_error(bulkd::ec::overloaded, "queue full (64 waiting)");
  CHECK(err.category() == bulkd::error_category());
  CHECK(bulkd::render(err) == "overloaded: queue full (64 waiting)");
  CHECK(bulkd::render(bulkd::make_error(bulkd::ec::timeout)) == "timeout");
  CHECK(bulkd::render(caf::error{}) == "no error");
}

TEST_CASE("CAF system errors render by name") {
  auto err = caf::make_error(caf::sec::unexpected_message);
  CHECK(bulkd::render(err) == "unexpected_message");
}
