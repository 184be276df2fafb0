#include "clients/cosmos/session_token.hpp"
#include "clients/error.hpp"

#include <catch2/catch.hpp>

using namespace bulkd;
using namespace bulkd::cosmos;

namespace {

std::string failure(std::string_view text) {
  auto parts = parse_session_token(text);
  REQUIRE_FALSE(parts);
  return render(parts.error());
}

std::string merged(std::string_view a, std::string_view b) {
  auto out = merge_session_tokens(a, b);
  REQUIRE(out);
  return *out;
}

} // namespace

TEST_CASE("session tokens parse in the vector and the simple form", "[cosmos][client][session]") {
  auto one = parse_session_token("0:-1#12");
  REQUIRE(one);
  REQUIRE(one->size() == 1);
  CHECK((*one)[0] == session_token_part{"0", -1, 12, {}});
  auto regional = parse_session_token("3:2#100#1=90#2=95");
  REQUIRE(regional);
  CHECK((*regional)[0].version == 2);
  CHECK((*regional)[0].global_lsn == 100);
  CHECK((*regional)[0].regional_lsns == std::vector<std::pair<int64_t, int64_t>>{{1, 90}, {2, 95}});
  auto several = parse_session_token("0:-1#12,1:-1#7");
  REQUIRE(several);
  CHECK(several->size() == 2);
  CHECK((*several)[1].range_id == "1");
  auto simple = parse_session_token("0:44");
  REQUIRE(simple);
  CHECK((*simple)[0].global_lsn == 44);
  CHECK(to_string(*regional) == "3:2#100#1=90#2=95");
  CHECK(to_string(*several) == "0:-1#12,1:-1#7");
}

TEST_CASE("the change feed LSN comes from a single-range token", "[cosmos][client][session]") {
  CHECK(session_token_lsn("0:-1#45") == 45);
  CHECK(session_token_lsn("0:45") == 45);
  CHECK(session_token_lsn("7:3#1000#1=990") == 1000);
  auto several = session_token_lsn("0:-1#1,1:-1#2");
  REQUIRE_FALSE(several);
  CHECK(render(several.error()) == "parse_error: invalid session token '0:-1#1,1:-1#2': expected "
                                   "a single range, got several");
}

TEST_CASE("bad session tokens are refused with the part named", "[cosmos][client][session]") {
  CHECK(failure("") == "parse_error: invalid session token: empty");
  CHECK(failure("12") == "parse_error: invalid session token '12': expected '<range id>:<token>'");
  CHECK(failure(":-1#2") == "parse_error: invalid session token ':-1#2': the range id is empty");
  CHECK(failure("0:") ==
        "parse_error: invalid session token '0:': the LSN is not a non-negative integer");
  CHECK(failure("0:-5") ==
        "parse_error: invalid session token '0:-5': the LSN is not a non-negative integer");
  CHECK(failure("0:v#5") == "parse_error: invalid session token '0:v#5': the version is not an "
                            "integer");
  CHECK(failure("0:-1#") == "parse_error: invalid session token '0:-1#': the global LSN is not a "
                            "non-negative integer");
  CHECK(failure("0:-1#5#1:2") == "parse_error: invalid session token '0:-1#5#1:2': regional LSN "
                                 "'1:2' is not <region>=<lsn>");
  CHECK(failure("0:-1#5,") ==
        "parse_error: invalid session token '': expected '<range id>:<token>'");
}

TEST_CASE("merging keeps the newest token of each range", "[cosmos][client][session]") {
  CHECK(merged("0:-1#12", "0:-1#15") == "0:-1#15");
  CHECK(merged("0:-1#15", "0:-1#12") == "0:-1#15");
  CHECK(merged("0:-1#12", "1:-1#7") == "0:-1#12,1:-1#7");
  CHECK(merged("0:1#50", "0:2#10") == "0:2#10"); // a newer version wins whatever its LSN
  CHECK(merged("0:2#10", "0:1#50") == "0:2#10");
  CHECK(merged("0:1#10#1=5#2=9", "0:1#12#1=7#3=1") == "0:1#12#1=7#2=9#3=1");
  CHECK(merged("", "0:-1#3") == "0:-1#3");
  CHECK(merged("0:-1#3", "") == "0:-1#3");
  auto bad = merge_session_tokens("0:-1#3", "garbage");
  REQUIRE_FALSE(bad);
  CHECK(render(bad.error()) ==
        "parse_error: invalid session token 'garbage': expected '<range id>:<token>'");
}
