#include "clients/cosmos/partition_key_definition.hpp"
#include "clients/error.hpp"
#include "jobs/change_feed/cosmos_sink_document.hpp"
#include "jobs/error_text.hpp"

#include <catch2/catch.hpp>

using namespace bulkd;

namespace {

cosmos::partition_key_definition def(std::vector<std::string> paths,
                                     cosmos::partition_kind kind = cosmos::partition_kind::hash) {
  auto d = cosmos::make_partition_key_definition(std::move(paths), kind, 2);
  REQUIRE(d);
  return *d;
}

std::string message(const caf::error& err) {
  return error_text(err);
}

} // namespace

TEST_CASE("cosmos sink document: system properties go, the rest stays byte for byte",
          "[cosmos_sink]") {
  auto text = std::string{R"({"id":"a\u00e9","pk":"k","n":1.50,"big":12345678901234567890,)"} +
              R"("_rid":"AQAAAIEAAAAB","_self":"dbs/x/colls/y/docs/z","_etag":"\"0a\"",)" +
              R"("_attachments":"attachments/","_ts":1700000000,"_lsn":17,"_mine":{"_rid":1},)" +
              R"("s":"x\"}]"})";
  auto doc = prepare_sink_document(text, def({"/pk"}));
  REQUIRE(doc);
  CHECK(doc->id == "a\xc3\xa9");
  CHECK(doc->key == cosmos::partition_key{std::string{"k"}});
  // Escapes, number spellings and nested system-like names are kept as written.
  CHECK(doc->body ==
        R"({"id":"a\u00e9","pk":"k","n":1.50,"big":12345678901234567890,"_mine":{"_rid":1},)"
        R"("s":"x\"}]"})");
}

TEST_CASE("cosmos sink document: whitespace between members is dropped, escaped system names "
          "are recognized",
          "[cosmos_sink]") {
  auto doc = prepare_sink_document(" { \"\\u005flsn\" : 3 , \"id\" : \"x\" ,\n\"v\" : [ 1, 2 ] } ",
                                   def({"/id"}));
  REQUIRE(doc);
  CHECK(doc->body == R"({"id":"x","v":[ 1, 2 ]})");
  CHECK(doc->key == cosmos::partition_key{std::string{"x"}});
  auto bom = prepare_sink_document("\xef\xbb\xbf{\"id\":\"b\",\"_lsn\":1}", def({"/id"}));
  REQUIRE(bom);
  CHECK(bom->body == R"({"id":"b"})");
  auto only_system = prepare_sink_document(R"({"_ts":1,"id":"y","_etag":"e"})", def({"/id"}));
  REQUIRE(only_system);
  CHECK(only_system->body == R"({"id":"y"})");
}

TEST_CASE("cosmos sink document: the key follows the target's definition", "[cosmos_sink]") {
  auto text = R"({"id":"1","pk":"source-key","tenant":{"region":"eu"},"n":7,"flag":true})";
  auto by_region = prepare_sink_document(text, def({"/tenant/region"}));
  REQUIRE(by_region);
  CHECK(by_region->key == cosmos::partition_key{std::string{"eu"}});
  auto by_number = prepare_sink_document(text, def({"/n"}));
  REQUIRE(by_number);
  CHECK(by_number->key == cosmos::partition_key{7.0});
  auto hier = prepare_sink_document(
      text, def({"/tenant/region", "/flag"}, cosmos::partition_kind::multi_hash));
  REQUIRE(hier);
  CHECK(hier->key == cosmos::partition_key{std::string{"eu"}, true});
  // Missing in the document: the undefined key, as the service computes it.
  auto missing = prepare_sink_document(text, def({"/category"}));
  REQUIRE(missing);
  CHECK(missing->key == cosmos::partition_key{cosmos::pk_undefined{}});
  // A system property as the target's key path is not taken from the stripped document.
  auto by_ts = prepare_sink_document(R"({"id":"1","_ts":5})", def({"/_ts"}));
  REQUIRE(by_ts);
  CHECK(by_ts->key == cosmos::partition_key{cosmos::pk_undefined{}});
}

TEST_CASE("cosmos sink document: bad input is an error that says what is wrong", "[cosmos_sink]") {
  auto key = def({"/pk"});
  auto not_json = prepare_sink_document(R"({"id":"a",)", key);
  REQUIRE_FALSE(not_json);
  CHECK(not_json.error().code() == static_cast<uint8_t>(ec::parse_error));
  CHECK(message(not_json.error()).rfind("invalid JSON: ", 0) == 0);
  auto array = prepare_sink_document(R"([{"id":"a"}])", key);
  REQUIRE_FALSE(array);
  CHECK(message(array.error()) == "not a JSON object but an array");
  auto string = prepare_sink_document(R"("id")", key);
  REQUIRE_FALSE(string);
  CHECK(message(string.error()) == "not a JSON object but a string");
  auto no_id = prepare_sink_document(R"({"pk":"k"})", key);
  REQUIRE_FALSE(no_id);
  CHECK(message(no_id.error()) == "no \"id\"");
  auto number_id = prepare_sink_document(R"({"id":5,"pk":"k"})", key);
  REQUIRE_FALSE(number_id);
  CHECK(message(number_id.error()) == "the \"id\" is a number, not a string");
  auto bad_utf8 = prepare_sink_document("{\"id\":\"\xff\"}", key);
  REQUIRE_FALSE(bad_utf8);
  CHECK(message(bad_utf8.error()).rfind("invalid JSON: ", 0) == 0);
  auto empty = prepare_sink_document("", key);
  REQUIRE_FALSE(empty);
  CHECK(message(empty.error()).rfind("invalid JSON: ", 0) == 0);
}

TEST_CASE("cosmos sink document: system property names", "[cosmos_sink]") {
  for (auto name : {"_rid", "_self", "_etag", "_attachments", "_ts", "_lsn"})
    CHECK(is_system_property(name));
  for (auto name : {"id", "_mine", "ttl", "_RID", "rid", ""})
    CHECK_FALSE(is_system_property(name));
}
