#include "clients/cosmos/resource_path.hpp"
#include "clients/error.hpp"

#include <catch2/catch.hpp>

using namespace bulkd::cosmos;

namespace {

struct path_case {
  const char* path;
  const char* type;
  const char* link;
  bool feed;
  bool name_based;
};

const path_case path_cases[] = {
    {"/", "", "", false, true},
    {"/dbs", "dbs", "", true, true},
    {"/dbs/db1", "dbs", "dbs/db1", false, true},
    {"/dbs/db1/", "dbs", "dbs/db1", false, true},
    {"/dbs/db1/colls", "colls", "dbs/db1", true, true},
    {"/dbs/db1/colls/c1", "colls", "dbs/db1/colls/c1", false, true},
    {"/dbs/db1/colls/c1/docs", "docs", "dbs/db1/colls/c1", true, true},
    {"/dbs/db1/colls/c1/docs/doc1", "docs", "dbs/db1/colls/c1/docs/doc1", false, true},
    {"/dbs/db1/colls/c1/pkranges", "pkranges", "dbs/db1/colls/c1", true, true},
    {"/dbs/db1/colls/c1/sprocs/sp", "sprocs", "dbs/db1/colls/c1/sprocs/sp", false, true},
    {"/dbs/db1/colls/c1/udfs", "udfs", "dbs/db1/colls/c1", true, true},
    {"/dbs/db1/colls/c1/triggers/t", "triggers", "dbs/db1/colls/c1/triggers/t", false, true},
    {"/dbs/db1/colls/c1/conflicts", "conflicts", "dbs/db1/colls/c1", true, true},
    {"/dbs/db1/users/u1/permissions", "permissions", "dbs/db1/users/u1", true, true},
    {"/dbs/db1/colls/c1/docs?x=1", "docs", "dbs/db1/colls/c1", true, true},
    // Names keep their case and are URL-decoded.
    {"/dbs/My%20DB/colls/C%C3%A9/docs/Id%2B1", "docs", "dbs/My DB/colls/Cé/docs/Id+1", false, true},
    // Offers sign the lowercased offer id.
    {"/offers", "offers", "", true, false},
    {"/offers/AbCd", "offers", "abcd", false, false},
    // RID-based paths sign only the (lowercased) RID of the target, or of the parent for a feed.
    {"/dbs/3FIlAA==/colls/3FIlAOzjvyg=/pkranges", "pkranges", "3filaozjvyg=", true, false},
    {"/dbs/3FIlAA==/colls/3FIlAOzjvyg=", "colls", "3filaozjvyg=", false, false},
    {"/dbs/3FIlAA==", "dbs", "3filaa==", false, false},
    {"/dbs/3FIlAA==/colls", "colls", "3filaa==", true, false},
    {"/dbs/AQAAAA==/colls/AQAAAIEAAAA=/docs/AQAAAIEAAAABAAAAAAAAAA==", "docs",
     "aqaaaieaaaabaaaaaaaaaa==", false, false},
};

} // namespace

TEST_CASE("request paths give the signature's type and link", "[cosmos][path]") {
  for (const auto& c : path_cases) {
    INFO(c.path);
    auto address = parse_resource_path(c.path);
    REQUIRE(address);
    CHECK(address->resource_type == c.type);
    CHECK(address->resource_link == c.link);
    CHECK(address->is_feed == c.feed);
    CHECK(address->name_based == c.name_based);
  }
}

TEST_CASE("resource addresses expose the ids", "[cosmos][path]") {
  auto address = parse_resource_path("/dbs/db1/colls/c%201/docs/doc1");
  REQUIRE(address);
  CHECK(address->segments ==
        std::vector<std::string>{"dbs", "db1", "colls", "c 1", "docs", "doc1"});
  CHECK(address->id("dbs") == "db1");
  CHECK(address->id("colls") == "c 1");
  CHECK(address->id("docs") == "doc1");
  CHECK(address->id("pkranges") == std::nullopt);
  auto feed = parse_resource_path("/dbs/db1/colls/c1/docs");
  REQUIRE(feed);
  CHECK(feed->id("docs") == std::nullopt);
}

TEST_CASE("request_path encodes a link", "[cosmos][path]") {
  CHECK(request_path("") == "/");
  CHECK(request_path("dbs/db1/colls/c1/docs") == "/dbs/db1/colls/c1/docs");
  CHECK(request_path("dbs/My DB/colls/Cé/docs/a+b") == "/dbs/My%20DB/colls/C%C3%A9/docs/a%2Bb");
  auto back = parse_resource_path(request_path("dbs/My DB/colls/Cé/docs/a+b"));
  REQUIRE(back);
  CHECK(back->resource_link == "dbs/My DB/colls/Cé/docs/a+b");
}

TEST_CASE("bad resource paths are refused with a reason", "[cosmos][path]") {
  auto reason = [](std::string_view path) {
    auto address = parse_resource_path(path);
    REQUIRE_FALSE(address);
    return bulkd::render(address.error());
  };
  CHECK(reason("") == "invalid_argument: invalid resource path '': it does not start with '/'");
  CHECK(reason("dbs/db1") == "invalid_argument: invalid resource path 'dbs/db1': it does not start "
                             "with '/'");
  CHECK(reason("/dbs//colls") == "invalid_argument: invalid resource path '/dbs//colls': segment 2 "
                                 "is empty");
  CHECK(reason("/tables/t1") == "invalid_argument: invalid resource path '/tables/t1': unknown "
                                "resource type 'tables'");
  CHECK(reason("/dbs/db1/docs/d") == "invalid_argument: invalid resource path '/dbs/db1/docs/d': "
                                     "'docs' cannot follow 'dbs'");
  CHECK(reason("/dbs/db1/colls/c1/docs/d/pkranges") ==
        "invalid_argument: invalid resource path '/dbs/db1/colls/c1/docs/d/pkranges': "
        "'pkranges' cannot follow 'docs'");
  CHECK(reason("/dbs/db%2") == "invalid_argument: invalid resource path '/dbs/db%2': truncated "
                               "percent-escape at offset 2");
  CHECK(reason("/dbs/db%G1") == "invalid_argument: invalid resource path '/dbs/db%G1': invalid "
                                "percent-escape '%G1' at offset 2");
}
