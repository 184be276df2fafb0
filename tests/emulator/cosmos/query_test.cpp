#include "tests/emulator/cosmos/emulator_fixture.hpp"

using namespace bulkd::emulator::testing;
using nlohmann::json;

namespace {

const std::string docs = "/dbs/db/colls/c/docs";

fixture_options options(unsigned ranges) {
  fixture_options o;
  o.ranges = ranges;
  return o;
}

struct with_documents : emulator_fixture {
  with_documents() : emulator_fixture(options(4)) {
    REQUIRE(create_database("db").status == 201);
    REQUIRE(create_container("db", "c", {{"paths", {"/pk"}}, {"kind", "Hash"}, {"version", 2}})
                .status == 201);
    for (int i = 0; i < 25; ++i) {
      json doc = {{"id", "d" + std::to_string(i)}, {"pk", "p" + std::to_string(i % 5)}, {"n", i}};
      REQUIRE(send("POST", docs, doc.dump(), pk_header("[\"p" + std::to_string(i % 5) + "\"]"))
                  .status == 201);
    }
  }

  reply query(const json& spec, httplib::Headers headers = {}) {
    headers.emplace("x-ms-documentdb-isquery", "True");
    headers.emplace("x-ms-documentdb-query-enablecrosspartition", "True");
    return send("POST", docs, spec.dump(), std::move(headers));
  }
};

} // namespace

TEST_CASE("cosmos emulator: queries across ranges, with parameters", "[emulator][cosmos][query]") {
  with_documents emu;
  auto all = emu.query({{"query", "SELECT * FROM c"}});
  REQUIRE(all.status == 200);
  CHECK(all.json["_count"] == 25);
  CHECK(all.json["Documents"].size() == 25);
  CHECK(all.json["_rid"].is_string());
  CHECK(all.json["Documents"][0].contains("_etag"));
  CHECK(all.header("x-ms-item-count") == "25");
  CHECK(all.header("x-ms-continuation").empty());

  auto params = emu.query(
      {{"query", "SELECT * FROM c WHERE c.n >= @min AND c.pk = @p"},
       {"parameters", {{{"name", "@min"}, {"value", 10}}, {{"name", "@p"}, {"value", "p1"}}}}});
  REQUIRE(params.status == 200);
  std::set<std::string> ids;
  for (auto& d : params.json["Documents"])
    ids.insert(d["id"].get<std::string>());
  CHECK(ids == std::set<std::string>{"d11", "d16", "d21"});

  auto count = emu.query({{"query", "SELECT VALUE COUNT(1) FROM c WHERE c.n < 20"}});
  REQUIRE(count.status == 200);
  CHECK(count.json["Documents"] == json::array({20}));

  auto ordered = emu.query({{"query", "SELECT TOP 3 c.id, c.n FROM c ORDER BY c.n DESC"}});
  REQUIRE(ordered.status == 200);
  CHECK(ordered.json["Documents"] ==
        json::parse(R"([{"id":"d24","n":24},{"id":"d23","n":23},{"id":"d22","n":22}])"));

  // Scoped to one logical partition by the header.
  auto scoped = emu.query({{"query", "SELECT VALUE c.n FROM c ORDER BY c.n"}},
                          emulator_fixture::pk_header(R"(["p2"])"));
  REQUIRE(scoped.status == 200);
  CHECK(scoped.json["Documents"] == json::array({2, 7, 12, 17, 22}));

  // Per range: the four ranges together hold every document once.
  size_t total = 0;
  for (int r = 0; r < 4; ++r) {
    auto part = emu.query({{"query", "SELECT VALUE COUNT(1) FROM c"}},
                          {{"x-ms-documentdb-partitionkeyrangeid", std::to_string(r)}});
    REQUIRE(part.status == 200);
    total += part.json["Documents"][0].get<size_t>();
  }
  CHECK(total == 25);
  auto gone =
      emu.query({{"query", "SELECT * FROM c"}}, {{"x-ms-documentdb-partitionkeyrangeid", "9"}});
  CHECK(gone.status == 410);
  CHECK(gone.header("x-ms-substatus") == "1002");
}

TEST_CASE("cosmos emulator: query paging with continuation", "[emulator][cosmos][query]") {
  with_documents emu;
  std::vector<int> seen;
  std::string token;
  int pages = 0;
  do {
    httplib::Headers h{{"x-ms-max-item-count", "10"}};
    if (!token.empty())
      h.emplace("x-ms-continuation", token);
    auto page = emu.query({{"query", "SELECT VALUE c.n FROM c ORDER BY c.n"}}, h);
    REQUIRE(page.status == 200);
    for (auto& v : page.json["Documents"])
      seen.push_back(v.get<int>());
    token = page.header("x-ms-continuation");
    ++pages;
  } while (!token.empty() && pages < 10);
  CHECK(pages == 3);
  REQUIRE(seen.size() == 25);
  for (int i = 0; i < 25; ++i)
    CHECK(seen[static_cast<size_t>(i)] == i);

  auto bad = emu.query({{"query", "SELECT * FROM c"}}, {{"x-ms-continuation", "abc"}});
  CHECK(bad.status == 400);
  CHECK(bad.message() == "The continuation token 'abc' is invalid");
  auto bad_count = emu.query({{"query", "SELECT * FROM c"}}, {{"x-ms-max-item-count", "x"}});
  CHECK(bad_count.status == 400);
  CHECK(bad_count.message() == "The header x-ms-max-item-count must be an integer, not 'x'");
}

TEST_CASE("cosmos emulator: bad queries and the declined query plan", "[emulator][cosmos][query]") {
  with_documents emu;
  auto syntax = emu.query({{"query", "SELECT * FROM c WHERE"}});
  CHECK(syntax.status == 400);
  CHECK_FALSE(syntax.message().empty());
  auto unsupported = emu.query({{"query", "SELECT VALUE c.pk FROM c GROUP BY c.pk"}});
  CHECK(unsupported.status == 400);
  INFO(unsupported.message());
  CHECK(unsupported.message().starts_with("unsupported: GROUP BY"));
  auto missing_param = emu.query({{"query", "SELECT * FROM c WHERE c.n = @x"}});
  CHECK(missing_param.status == 400);
  CHECK(missing_param.message().find("@x") != std::string::npos);
  auto no_query = emu.query({{"sql", "SELECT * FROM c"}});
  CHECK(no_query.status == 400);
  CHECK(no_query.message() == "The query body has no 'query' string");

  auto plan = emu.send(
      "POST", docs, R"({"query":"SELECT * FROM c"})",
      {{"x-ms-cosmos-is-query-plan-request", "True"}, {"x-ms-cosmos-query-version", "1.4"}});
  CHECK(plan.status == 501);
  CHECK(plan.message().find("does not produce query plans") != std::string::npos);
  CHECK(plan.message().find("Cross partition query only supports") == std::string::npos);
}
