#include "capture_parser.hpp"
#include "captures.hpp"
#include "clients/cosmos/auth_signature.hpp"
#include "clients/cosmos/batch_builder.hpp"
#include "clients/cosmos/batch_operation.hpp"
#include "clients/cosmos/request_builder.hpp"
#include "clients/error.hpp"

#include <catch2/catch.hpp>

#include <set>

using namespace bulkd;
using namespace bulkd::cosmos;

namespace {

constexpr auto emulator_key =
    "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==";

const container_ref cc{"capdb", "cc"};
const container_ref cf{"capdb", "cf"};

// Headers the JS SDK adds for its own features (or the transport adds); bulkd does not send them.
const std::set<std::string> js_only = {
    "x-ms-documentdb-responsecontinuationtokenlimitinkb",
    "x-ms-documentdb-query-enablecrosspartition",
    "cache-control",
    "user-agent",
    "x-ms-useragent",
    "x-ms-cosmos-sdk-supportedcapabilities",
    "x-ms-cosmos-allow-tentative-writes",
    "authorization",
    "host",
    "connection",
    "content-length",
    "x-ms-cosmos-correlated-activityid",
};

std::string lower(std::string text) {
  for (auto& c : text)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

master_key test_key() {
  auto key = parse_master_key(emulator_key);
  REQUIRE(key);
  return *key;
}

// A builder whose clock shows the capture's x-ms-date.
request_builder builder_for(std::string_view captured, request_options options = {}) {
  auto msg = capture::parse(captured);
  auto date = parse_http_date(msg.headers.value("x-ms-date"));
  REQUIRE(date);
  auto builder = request_builder::make("https://127.0.0.1:8091/",
                                       credential::from_master_key(test_key()), options);
  REQUIRE(builder);
  builder->set_clock([t = *date] { return t; });
  return *builder;
}

// The request must be the capture's: method, path, body and every protocol header with the same
// value, no header the capture lacks (but User-Agent), and a signature over `type` and `link`.
void check_as_captured(const http_request& req, std::string_view captured, std::string_view type,
                       std::string_view link) {
  auto msg = capture::parse(captured);
  auto [method, target] = capture::request_line(msg);
  CHECK(req.origin == "https://127.0.0.1:8091");
  CHECK(req.method == method);
  CHECK(req.target == target);
  CHECK(req.body == msg.body);
  for (const auto& [name, value] : msg.headers) {
    if (js_only.count(lower(name)))
      continue;
    INFO("captured header " << name);
    auto ours = req.headers.find(name);
    REQUIRE(ours != nullptr);
    CHECK(*ours == value);
  }
  for (const auto& [name, value] : req.headers) {
    INFO("our header " << name << ": " << value);
    CHECK((msg.headers.contains(name) || iequals(name, "User-Agent")));
  }
  auto auth = req.headers.find("authorization");
  REQUIRE(auth != nullptr);
  CHECK_FALSE(verify_master_authorization(*auth, test_key(), method, type, link,
                                          req.headers.value("x-ms-date")));
}

std::string op_json(batch_operation op) {
  auto text = serialize(op);
  REQUIRE(text);
  return *text;
}

std::string op(operation_type type, std::string id, partition_key key, std::string body) {
  batch_operation o;
  o.type = type;
  o.id = std::move(id);
  o.key = std::move(key);
  o.resource_body = std::move(body);
  return op_json(o);
}

std::string one_batch(const std::vector<std::string>& ops) {
  auto batches = pack_batches(ops);
  REQUIRE(batches);
  REQUIRE(batches->size() == 1);
  return batches->front().json;
}

} // namespace

TEST_CASE("account, database and container requests are the captured ones",
          "[cosmos][client][request]") {
  CHECK(api_version == "2020-07-15");
  check_as_captured(builder_for(captures::account_request).get_account(), captures::account_request,
                    "", "");
  check_as_captured(builder_for(captures::read_database_request).read_database("capdb"),
                    captures::read_database_request, "dbs", "dbs/capdb");
  check_as_captured(builder_for(captures::create_database_request).create_database("capdb"),
                    captures::create_database_request, "dbs", "");
  check_as_captured(builder_for(captures::read_container_request).read_container(cc),
                    captures::read_container_request, "colls", "dbs/capdb/colls/cc");
  auto v1 = make_partition_key_definition({"/pk"}, partition_kind::hash, 1);
  REQUIRE(v1);
  check_as_captured(builder_for(captures::create_container_request).create_container(cc, *v1),
                    captures::create_container_request, "colls", "dbs/capdb");
  check_as_captured(builder_for(captures::delete_database_request).delete_database("capdb"),
                    captures::delete_database_request, "dbs", "dbs/capdb");
  auto drop = builder_for(captures::delete_database_request).delete_container(cc);
  CHECK(drop.method == "DELETE");
  CHECK(drop.target == "/dbs/capdb/colls/cc");
  CHECK_FALSE(verify_master_authorization(drop.headers.value("authorization"), test_key(), "DELETE",
                                          "colls", "dbs/capdb/colls/cc",
                                          drop.headers.value("x-ms-date")));
}

TEST_CASE("container creation carries V2 definitions and throughput", "[cosmos][client][request]") {
  auto builder = builder_for(captures::create_container_request);
  auto v2 = make_partition_key_definition({"/pk"}, partition_kind::hash, 2);
  REQUIRE(v2);
  auto req = builder.create_container(cc, *v2, throughput{400, std::nullopt});
  CHECK(req.body == R"({"id":"cc","partitionKey":{"kind":"Hash","paths":["/pk"],"version":2}})");
  CHECK(req.headers.value("x-ms-offer-throughput") == "400");
  CHECK_FALSE(req.headers.contains("x-ms-cosmos-offer-autopilot-settings"));
  auto hpk = make_partition_key_definition({"/tenant", "/user"}, partition_kind::multi_hash, 2);
  REQUIRE(hpk);
  auto auto_req = builder.create_container(cc, *hpk, throughput{std::nullopt, 4000});
  CHECK(
      auto_req.body ==
      R"({"id":"cc","partitionKey":{"kind":"MultiHash","paths":["/tenant","/user"],"version":2}})");
  CHECK(auto_req.headers.value("x-ms-cosmos-offer-autopilot-settings") ==
        R"({"maxThroughput":4000})");
  CHECK_FALSE(auto_req.headers.contains("x-ms-offer-throughput"));
  auto db = builder.create_database("capdb", throughput{1000, std::nullopt});
  CHECK(db.headers.value("x-ms-offer-throughput") == "1000");
}

TEST_CASE("document requests are the captured ones", "[cosmos][client][request]") {
  partition_key p1{std::string{"p1"}};
  check_as_captured(builder_for(captures::create_item_request)
                        .create_document(cc, p1, R"({"id":"i1","pk":"p1","v":1})"),
                    captures::create_item_request, "docs", "dbs/capdb/colls/cc");
  check_as_captured(builder_for(captures::upsert_item_request)
                        .upsert_document(cc, p1, R"({"id":"i2","pk":"p1","v":2})"),
                    captures::upsert_item_request, "docs", "dbs/capdb/colls/cc");
  check_as_captured(builder_for(captures::read_item_request).read_document(cc, "i1", p1),
                    captures::read_item_request, "docs", "dbs/capdb/colls/cc/docs/i1");
  check_as_captured(builder_for(captures::replace_item_request)
                        .replace_document(cc, "i1", p1, R"({"id":"i1","pk":"p1","v":9})",
                                          {"9c8e9dec-0e74-4f28-a501-7079c7b3d982"}),
                    captures::replace_item_request, "docs", "dbs/capdb/colls/cc/docs/i1");
  auto patch = builder_for(captures::patch_item_request)
                   .patch_document(cc, "i1", p1, R"([{"op":"incr","path":"/v","value":1}])");
  REQUIRE(patch);
  check_as_captured(*patch, captures::patch_item_request, "docs", "dbs/capdb/colls/cc/docs/i1");
  check_as_captured(builder_for(captures::delete_item_request).delete_document(cc, "del", p1),
                    captures::delete_item_request, "docs", "dbs/capdb/colls/cc/docs/del");
}

TEST_CASE("document requests: ids are encoded in the path, signed raw",
          "[cosmos][client][request]") {
  auto builder = builder_for(captures::read_item_request);
  auto req = builder.read_document({"my db", "c#1"}, "doc 1?", {5.0});
  CHECK(req.target == "/dbs/my%20db/colls/c%231/docs/doc%201%3F");
  CHECK(req.headers.value("x-ms-documentdb-partitionkey") == "[5]");
  CHECK_FALSE(verify_master_authorization(req.headers.value("authorization"), test_key(), "GET",
                                          "docs", "dbs/my db/colls/c#1/docs/doc 1?",
                                          req.headers.value("x-ms-date")));
  auto upsert = builder.upsert_document(cc, {std::string{"p"}}, "{}", {"\"etag-1\""});
  CHECK(upsert.headers.value("If-Match") == "\"etag-1\"");
  auto del = builder.delete_document(cc, "x", {nullptr}, {"\"e\""});
  CHECK(del.headers.value("If-Match") == "\"e\"");
  CHECK(del.headers.value("x-ms-documentdb-partitionkey") == "[null]");
}

TEST_CASE("patch with a condition sends the object form, bad operations are refused",
          "[cosmos][client][request]") {
  auto builder = builder_for(captures::patch_item_request);
  partition_key p1{std::string{"p1"}};
  auto req = builder.patch_document(cc, "i1", p1, R"([{"op":"set","path":"/a","value":1}])",
                                    "from c where c.v > 0", {"\"e1\""});
  REQUIRE(req);
  CHECK(
      req->body ==
      R"({"condition":"from c where c.v > 0","operations":[{"op":"set","path":"/a","value":1}]})");
  CHECK(req->headers.value("If-Match") == "\"e1\"");
  auto message = [&](std::string_view ops) {
    auto bad = builder.patch_document(cc, "i1", p1, ops);
    REQUIRE_FALSE(bad);
    return render(bad.error());
  };
  CHECK(message("not json") ==
        "invalid_argument: patch operations must be a JSON array of 1 to 10 operations");
  CHECK(message("[]") ==
        "invalid_argument: patch operations must be a JSON array of 1 to 10 operations");
  CHECK(message(R"({"op":"set"})") ==
        "invalid_argument: patch operations must be a JSON array of 1 to 10 operations");
  CHECK(message(R"([{"op":"set"}])") ==
        "invalid_argument: each patch operation needs string fields \"op\" and \"path\"");
  CHECK(message(R"([{"op":1,"path":"/a"}])") ==
        "invalid_argument: each patch operation needs string fields \"op\" and \"path\"");
}

TEST_CASE("pkranges requests: plain ReadFeed and the A-IM change form",
          "[cosmos][client][request]") {
  auto builder = builder_for(captures::pkranges_request);
  check_as_captured(builder.read_pkranges(cc), captures::pkranges_request, "pkranges",
                    "dbs/capdb/colls/cc");
  auto first = builder.read_pkranges_changes(cc, "");
  CHECK(first.target == "/dbs/capdb/colls/cc/pkranges");
  CHECK(first.headers.value("A-IM") == "Incremental Feed");
  CHECK(first.headers.value("x-ms-max-item-count") == "-1");
  CHECK_FALSE(first.headers.contains("If-None-Match"));
  auto next = builder.read_pkranges_changes(cc, "483");
  CHECK(next.headers.value("If-None-Match") == "483");
}

TEST_CASE("change feed requests are the captured ones", "[cosmos][client][request]") {
  auto check = [](std::string_view captured, const change_feed_options& options) {
    auto req = builder_for(captured).change_feed(cf, options);
    REQUIRE(req);
    check_as_captured(*req, captured, "docs", "dbs/capdb/colls/cf");
  };
  change_feed_options beginning;
  beginning.range_id = "0";
  beginning.max_item_count = 10;
  check(captures::cf_beginning_request, beginning);
  auto next = beginning;
  next.if_none_match = "1";
  check(captures::cf_continuation_request, next);
  change_feed_options now;
  now.range_id = "0";
  now.if_none_match = "*";
  check(captures::cf_now_request, now);
  change_feed_options by_key;
  by_key.key = partition_key{std::string{"p"}};
  check(captures::cf_partition_key_request, by_key);
  change_feed_options sub_range;
  sub_range.range_id = "0";
  sub_range.epk = epk_range{"", "7F"};
  check(captures::cf_epk_request, sub_range);
  auto all_versions = now;
  all_versions.mode = change_feed_mode::all_versions_and_deletes;
  check(captures::cf_full_fidelity_request, all_versions);
}

TEST_CASE("change feed from a point in time, contradicting options are refused",
          "[cosmos][client][request]") {
  auto builder = builder_for(captures::cf_beginning_request);
  change_feed_options at;
  at.range_id = "3";
  at.start_time = http_time{std::chrono::seconds{1705314600}};
  auto req = builder.change_feed(cf, at);
  REQUIRE(req);
  CHECK(req->headers.value("If-Modified-Since") == "Mon, 15 Jan 2024 10:30:00 GMT");
  CHECK_FALSE(req->headers.contains("If-None-Match"));
  auto message = [&](const change_feed_options& options) {
    auto bad = builder.change_feed(cf, options);
    REQUIRE_FALSE(bad);
    return render(bad.error());
  };
  change_feed_options two_scopes;
  two_scopes.range_id = "0";
  two_scopes.key = partition_key{std::string{"p"}};
  CHECK(message(two_scopes) == "invalid_argument: invalid change feed options: a partition key "
                               "and a range id are two scopes; give one");
  change_feed_options epk_only;
  epk_only.epk = epk_range{"", "7F"};
  CHECK(message(epk_only) == "invalid_argument: invalid change feed options: an EPK range needs "
                             "the id of the physical range that holds it");
  auto both_starts = at;
  both_starts.if_none_match = "\"5\"";
  CHECK(message(both_starts) == "invalid_argument: invalid change feed options: a continuation "
                                "(If-None-Match) and a start time exclude each other");
  change_feed_options all_versions;
  all_versions.range_id = "0";
  all_versions.mode = change_feed_mode::all_versions_and_deletes;
  CHECK(message(all_versions) == "invalid_argument: invalid change feed options: all versions "
                                 "and deletes starts only now (\"*\") or from a continuation");
  change_feed_options zero;
  zero.max_item_count = 0;
  CHECK(message(zero) ==
        "invalid_argument: invalid change feed options: max_item_count must not be 0");
}

TEST_CASE("batch and bulk requests are the captured ones", "[cosmos][client][request]") {
  partition_key bp{std::string{"bp"}};
  auto create = [](std::string body) {
    batch_operation op;
    op.type = operation_type::create;
    op.resource_body = std::move(body);
    op.include_partition_key = false;
    return op_json(op);
  };
  auto creates =
      one_batch({create(R"({"id":"bb1","pk":"bp"})"), create(R"({"id":"bb2","pk":"bp"})")});
  check_as_captured(
      builder_for(captures::batch_creates_request).transactional_batch(cc, bp, creates),
      captures::batch_creates_request, "docs", "dbs/capdb/colls/cc");

  auto per_op = one_batch({
      op(operation_type::upsert, "", bp, R"({"id":"bb3","pk":"bp"})"),
      op(operation_type::read, "bb1", bp, ""),
      op(operation_type::remove, "bb2", bp, ""),
  });
  check_as_captured(
      builder_for(captures::batch_per_op_pk_request).transactional_batch(cc, bp, per_op),
      captures::batch_per_op_pk_request, "docs", "dbs/capdb/colls/cc");

  partition_key k1{std::string{"k1"}};
  auto bulk = one_batch({
      op(operation_type::upsert, "", k1, R"({"id":"eb1","pk":"k1"})"),
      op(operation_type::create, "", k1, R"({"id":"eb2","pk":"k1"})"),
      op(operation_type::read, "eb1", k1, ""),
  });
  check_as_captured(builder_for(captures::bulk_request).bulk(cc, "0", bulk), captures::bulk_request,
                    "docs", "dbs/capdb/colls/cc");
}

TEST_CASE("the signature matches the reference vectors", "[cosmos][client][request]") {
  // cosmos-wire.md §1.6: emulator key, Mon, 15 Jan 2024 10:30:00 GMT.
  auto builder =
      request_builder::make("https://localhost:8081", credential::from_master_key(test_key()));
  REQUIRE(builder);
  builder->set_clock([] { return http_time{std::chrono::seconds{1705314600}}; });
  CHECK(builder->get_account().headers.value("authorization") ==
        "type%3Dmaster%26ver%3D1.0%26sig%3D8n6%2FLzwaqtWidTUnEezPDTA6j53PohoniyuOIrNa4%2FU%3D");
  CHECK(builder->read_database("db1").headers.value("authorization") ==
        "type%3Dmaster%26ver%3D1.0%26sig%3Dl9b410SEvfoRm%2BcjsDvki8roT%2B%2BnxaVHq6DBRjZrnmM%3D");
  CHECK(builder->create_database("x").headers.value("authorization") ==
        "type%3Dmaster%26ver%3D1.0%26sig%3DBXvr0TBO%2BxONX0QyqV9IB7%2B2%2BCxb6qKI6vHUWY2I7hs%3D");
  CHECK(builder
            ->create_container({"db1", "c"},
                               *make_partition_key_definition({"/pk"}, partition_kind::hash, 2))
            .headers.value("authorization") ==
        "type%3Dmaster%26ver%3D1.0%26sig%3DQL2Kh%2Bie3h3qQhCt%2FDFiEw8E4oSdSqcqe2vQ9L3dHOo%3D");
  CHECK(builder->read_document({"db1", "c1"}, "doc1", {}).headers.value("authorization") ==
        "type%3Dmaster%26ver%3D1.0%26sig%3DVMlzRbkNCGPRaMe0GcI%2FZ8k5xG%2Bnse6kKrVn%2FLf98LM%3D");
  CHECK(builder->create_document({"db1", "c1"}, {}, "{}").headers.value("authorization") ==
        "type%3Dmaster%26ver%3D1.0%26sig%3DKIjhQ21gsbNILvTLN1xT%2F2xftL3lpDPsknCOSwap4UI%3D");
  CHECK(builder->read_pkranges({"db1", "c1"}).headers.value("authorization") ==
        "type%3Dmaster%26ver%3D1.0%26sig%3D7hSD7%2Bk2SYsPGuqBSZ8%2FFJl90%2B5DYIGgz%2BKyJtmOwkg%3D");
  CHECK(builder->get_account().headers.value("x-ms-date") == "Mon, 15 Jan 2024 10:30:00 GMT");
}

TEST_CASE("common headers: AAD tokens, consistency, user agent, timeout, TLS",
          "[cosmos][client][request]") {
  auto aad = credential::from_aad_token("eyJ0eXAi.eyJhdWQi.sig-_");
  REQUIRE(aad);
  request_options options;
  options.user_agent = "bulkd/test";
  options.consistency_level = "Eventual";
  options.timeout = std::chrono::seconds{5};
  options.tls.insecure_skip_verify = true;
  auto builder = request_builder::make("http://127.0.0.1:8081", *aad, options);
  REQUIRE(builder);
  auto req = builder->read_container(cc);
  CHECK(req.origin == "http://127.0.0.1:8081");
  CHECK(req.headers.value("authorization") ==
        "type%3Daad%26ver%3D1.0%26sig%3DeyJ0eXAi.eyJhdWQi.sig-_");
  CHECK(req.headers.value("x-ms-consistency-level") == "Eventual");
  CHECK(req.headers.value("User-Agent") == "bulkd/test");
  CHECK(req.timeout == std::chrono::seconds{5});
  CHECK(req.tls.insecure_skip_verify);
  auto parsed = parse_authorization(req.headers.value("authorization"));
  REQUIRE(parsed);
  CHECK(parsed->type == token_type::aad);
  CHECK(parsed->signature == "eyJ0eXAi.eyJhdWQi.sig-_");
  // A refreshed token is used from the next request on.
  auto refreshed = *aad;
  CHECK_FALSE(refreshed.refresh("new-token"));
  builder->set_credential(refreshed);
  CHECK(builder->get_account().headers.value("authorization") ==
        "type%3Daad%26ver%3D1.0%26sig%3Dnew-token");
  auto bad_endpoint = request_builder::make("ftp://x", *aad);
  REQUIRE_FALSE(bad_endpoint);
  CHECK(render(bad_endpoint.error()).find("unsupported scheme") != std::string::npos);
}

TEST_CASE("credentials refuse empty or bad secrets without echoing them",
          "[cosmos][client][auth]") {
  auto empty = credential::from_aad_token("");
  REQUIRE_FALSE(empty);
  CHECK(render(empty.error()) == "invalid_argument: the AAD access token is empty");
  auto bad_key = credential::from_master_key("not*base64!");
  REQUIRE_FALSE(bad_key);
  CHECK(render(bad_key.error()).find("not*base64!") == std::string::npos);
  CHECK(render(bad_key.error()).find("the account key is not valid base64") != std::string::npos);
  auto master = credential::from_master_key(emulator_key);
  REQUIRE(master);
  CHECK(master->is_master_key());
  CHECK(render(master->refresh("x")) ==
        "invalid_argument: a master-key credential has no token to refresh");
  auto aad = credential::from_aad_token("t");
  REQUIRE(aad);
  CHECK(render(aad->refresh("")) == "invalid_argument: the AAD access token is empty");
}

TEST_CASE("query requests are the captured ones", "[cosmos][client][request]") {
  std::vector<query_parameter> p1 = {{"@p", "\"p1\""}};
  auto cross = builder_for(captures::query_cross_partition_request)
                   .query_documents(cc, "SELECT * FROM c WHERE c.pk = @p", p1);
  REQUIRE(cross);
  check_as_captured(*cross, captures::query_cross_partition_request, "docs", "dbs/capdb/colls/cc");
  CHECK(cross->headers.value("x-ms-documentdb-query-enablecrosspartition") == "true");
  query_options in_partition;
  in_partition.key = partition_key{std::string{"p1"}};
  auto single = builder_for(captures::query_with_pk_request)
                    .query_documents(cc, "SELECT * FROM c WHERE c.pk = @p", p1, in_partition);
  REQUIRE(single);
  // The JS SDK sends enablecrosspartition on every request; bulkd only when it is needed.
  CHECK_FALSE(single->headers.contains("x-ms-documentdb-query-enablecrosspartition"));
  check_as_captured(*single, captures::query_with_pk_request, "docs", "dbs/capdb/colls/cc");
}

TEST_CASE("query paging, ranges and bad parameters", "[cosmos][client][request]") {
  auto builder = builder_for(captures::query_with_pk_request);
  query_options paging;
  paging.range_id = "2";
  paging.max_item_count = 100;
  paging.continuation = "+RID:~abc==#RT:1";
  auto req =
      builder.query_documents({"db", "leases"}, "SELECT * FROM c WHERE STARTSWITH(c.id, @prefix)",
                              {{"@prefix", "\"proc..\""}}, paging);
  REQUIRE(req);
  CHECK(
      req->body ==
      R"j({"query":"SELECT * FROM c WHERE STARTSWITH(c.id, @prefix)","parameters":[{"name":"@prefix","value":"proc.."}]})j");
  CHECK(req->headers.value("x-ms-documentdb-partitionkeyrangeid") == "2");
  CHECK(req->headers.value("x-ms-max-item-count") == "100");
  CHECK(req->headers.value("x-ms-continuation") == "+RID:~abc==#RT:1");
  auto plain = builder.query_documents(cc, "SELECT VALUE COUNT(1) FROM c");
  REQUIRE(plain);
  CHECK(plain->body == R"({"query":"SELECT VALUE COUNT(1) FROM c"})");
  auto message = [&](std::vector<query_parameter> params, query_options options = {}) {
    auto bad = builder.query_documents(cc, "SELECT 1", params, options);
    REQUIRE_FALSE(bad);
    return render(bad.error());
  };
  CHECK(message({{"p", "1"}}) ==
        "invalid_argument: invalid query parameter name 'p' (expected @name)");
  CHECK(message({{"@", "1"}}) ==
        "invalid_argument: invalid query parameter name '@' (expected @name)");
  CHECK(message({{"@p", "not json"}}) ==
        "invalid_argument: the value of query parameter @p is not JSON");
  query_options both;
  both.key = partition_key{1.0};
  both.range_id = "0";
  CHECK(message({}, both) ==
        "invalid_argument: invalid query options: a partition key and a range id are two scopes");
}

TEST_CASE("minimal write responses: Prefer on writes only", "[cosmos][client][request]") {
  request_options options;
  options.minimal_write_responses = true;
  auto builder = builder_for(captures::create_item_request, options);
  partition_key p1{std::string{"p1"}};
  auto prefers = [](const http_request& req) { return req.headers.value("Prefer"); };
  CHECK(prefers(builder.create_document(cc, p1, "{}")) == "return=minimal");
  CHECK(prefers(builder.upsert_document(cc, p1, "{}")) == "return=minimal");
  CHECK(prefers(builder.replace_document(cc, "i", p1, "{}")) == "return=minimal");
  CHECK(prefers(*builder.patch_document(cc, "i", p1, R"([{"op":"remove","path":"/a"}])")) ==
        "return=minimal");
  CHECK(prefers(builder.transactional_batch(cc, p1, "[]")) == "return=minimal");
  CHECK(prefers(builder.bulk(cc, "0", "[]")) == "return=minimal");
  CHECK_FALSE(builder.read_document(cc, "i", p1).headers.contains("Prefer"));
  CHECK_FALSE(builder.delete_document(cc, "i", p1).headers.contains("Prefer"));
  CHECK_FALSE(builder.read_container(cc).headers.contains("Prefer"));
  CHECK_FALSE(
      builder.create_container(cc, *make_partition_key_definition({"/pk"}, partition_kind::hash, 2))
          .headers.contains("Prefer"));
  // Off by default (the captures have none).
  CHECK_FALSE(
      builder_for(captures::create_item_request).bulk(cc, "0", "[]").headers.contains("Prefer"));
}

TEST_CASE("invalid UTF-8 in ids and conditions does not throw", "[cosmos][client][request]") {
  auto builder = builder_for(captures::create_database_request);
  CHECK(builder.create_database("bad\xFF").body == "{\"id\":\"bad\xEF\xBF\xBD\"}");
  auto pk = make_partition_key_definition({"/pk"}, partition_kind::hash, 1);
  REQUIRE(pk);
  CHECK(builder.create_container({"db", "c\xC3"}, *pk).body ==
        "{\"id\":\"c\xEF\xBF\xBD\",\"partitionKey\":{\"paths\":[\"/pk\"]}}");
  auto patch = builder.patch_document(cc, "i", {1.0}, R"([{"op":"remove","path":"/a"}])",
                                      "from c where c.x = '\xFE'");
  REQUIRE(patch);
  CHECK(patch->body.find("\xEF\xBF\xBD") != std::string::npos);
  auto query = builder.query_documents(cc, "SELECT * FROM c WHERE c.x = '\xFE'");
  REQUIRE(query);
  CHECK(query->body.find("\xEF\xBF\xBD") != std::string::npos);
}
