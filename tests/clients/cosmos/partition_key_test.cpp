#include "clients/cosmos/partition_key.hpp"
#include "clients/cosmos/partition_key_definition.hpp"
#include "clients/error.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace bulkd::cosmos;

namespace {

partition_key_definition hash_on(std::vector<std::string> paths, int version = 2) {
  partition_key_definition def;
  def.paths = std::move(paths);
  def.kind = def.paths.size() > 1 ? partition_kind::multi_hash : partition_kind::hash;
  def.version = version;
  return def;
}

partition_key extract(std::string_view document, std::vector<std::string> paths) {
  auto key = extract_partition_key(document, hash_on(std::move(paths)));
  REQUIRE(key);
  return *key;
}

} // namespace

TEST_CASE("partition keys render as the header's JSON array", "[cosmos][pk]") {
  CHECK(to_header({std::string{"pk1"}}) == R"(["pk1"])");
  CHECK(to_header({5.0}) == "[5]");
  CHECK(to_header({1.0}) == "[1]");
  CHECK(to_header({-0.5}) == "[-0.5]");
  CHECK(to_header({1.5e300}) == "[1.5e+300]");
  CHECK(to_header({true}) == "[true]");
  CHECK(to_header({false}) == "[false]");
  CHECK(to_header({nullptr}) == "[null]");
  CHECK(to_header({pk_undefined{}}) == "[{}]");
  CHECK(to_header({std::string{"tenant"}, std::string{"user"}}) == R"(["tenant","user"])");
  CHECK(to_header({}) == "[]");
  // Header values are ASCII: non-ASCII as \u escapes, astral characters as surrogate pairs.
  CHECK(to_header({std::string{"caf\xC3\xA9 \xF0\x9F\x98\x80"}}) ==
        R"(["caf\u00e9 \ud83d\ude00"])");
  CHECK(to_header({std::string{"quote\" and \\"}}) == R"(["quote\" and \\"])");
  CHECK(to_header({std::string{"del\x7F"}}) == R"(["del\u007f"])");
}

TEST_CASE("partition key headers parse", "[cosmos][pk]") {
  auto parse = [](std::string_view text) {
    auto key = parse_partition_key_header(text);
    REQUIRE(key);
    return *key;
  };
  CHECK(parse(R"(["pk1"])") == partition_key{std::string{"pk1"}});
  CHECK(parse("[5]") == partition_key{5.0});
  CHECK(parse("[5.0]") == partition_key{5.0}); // 1 and 1.0 are the same key
  CHECK(parse("[true]") == partition_key{true});
  CHECK(parse("[null]") == partition_key{nullptr});
  CHECK(parse("[{}]") == partition_key{pk_undefined{}});
  CHECK(parse("[]").empty());
  // JS bulk puts the header form into each operation as a string: "partitionKey":"[\"bp\"]".
  auto op = nlohmann::json::parse(R"({"partitionKey":"[\"bp\"]"})");
  CHECK(parse(op["partitionKey"].get<std::string>()) == partition_key{std::string{"bp"}});
  CHECK(parse(R"(["caf\u00e9"])") == partition_key{std::string{"caf\xC3\xA9"}});
  CHECK(parse(R"( ["a", 1, false] )") == partition_key{std::string{"a"}, 1.0, false});
  // Round trip.
  partition_key key{std::string{"x\xE2\x82\xAC"}, 42.0, nullptr, pk_undefined{}, true};
  CHECK(parse(to_header(key)) == key);
}

TEST_CASE("bad partition key headers are refused with a reason", "[cosmos][pk]") {
  auto reason = [](std::string_view text) {
    auto key = parse_partition_key_header(text);
    REQUIRE_FALSE(key);
    return bulkd::render(key.error());
  };
  CHECK(reason(R"("pk1")") == "parse_error: the partition key header must be a JSON array, not "
                              "string");
  CHECK(reason(R"({"a":1})") == "parse_error: the partition key header must be a JSON array, not "
                                "object");
  CHECK(reason(R"([["a"]])") == "parse_error: partition key component 1 must be a string, number, "
                                "boolean, null or {}, not array");
  CHECK(reason(R"(["a", {"b":1}])") == "parse_error: partition key component 2 must be a string, "
                                       "number, boolean, null or {}, not a non-empty object");
  CHECK_THAT(reason(R"(["a")"), Catch::StartsWith("parse_error: the partition key header is not "
                                                  "valid JSON: "));
  CHECK_THAT(reason(""), Catch::StartsWith("parse_error: the partition key header is not valid "
                                           "JSON: "));
}

TEST_CASE("partition key paths parse like the SDKs parse them", "[cosmos][pk]") {
  auto parts = [](std::string_view path) {
    auto p = parse_partition_key_path(path);
    REQUIRE(p);
    return *p;
  };
  using v = std::vector<std::string>;
  CHECK(parts("/pk") == v{"pk"});
  CHECK(parts("/a/b/c") == v{"a", "b", "c"});
  CHECK(parts("/a/") == v{"a"});
  CHECK(parts("/ a /b") == v{"a", "b"});
  CHECK(parts(R"(/"a/b"/c)") == v{"a/b", "c"});
  CHECK(parts("/'it'") == v{"it"});
  CHECK(parts(R"(/"say \"hi\""/x)") == v{R"(say \"hi\")", "x"}); // kept verbatim
  CHECK(parts("/_partitionKey") == v{"_partitionKey"});
}

TEST_CASE("bad partition key paths are refused with a reason", "[cosmos][pk]") {
  auto reason = [](std::string_view path) {
    auto p = parse_partition_key_path(path);
    REQUIRE_FALSE(p);
    return bulkd::render(p.error());
  };
  CHECK(reason("pk") == "invalid_argument: invalid partition key path 'pk': expected '/' at offset "
                        "0");
  CHECK(reason("") == "invalid_argument: invalid partition key path '': it names no property");
  CHECK(reason("/") == "invalid_argument: invalid partition key path '/': it names no property");
  CHECK(reason("/a//b") == "invalid_argument: invalid partition key path '/a//b': empty segment at "
                           "offset 3");
  CHECK(reason(R"(/"open)") == "invalid_argument: invalid partition key path '/\"open': "
                               "unterminated quote \" at offset 1");
  CHECK(reason(R"(/"a"b)") ==
        "invalid_argument: invalid partition key path '/\"a\"b': expected '/' "
        "at offset 4");
}

TEST_CASE("partition keys are extracted from documents", "[cosmos][pk]") {
  CHECK(extract(R"({"id":"1","pk":"a"})", {"/pk"}) == partition_key{std::string{"a"}});
  CHECK(extract(R"({"pk":1})", {"/pk"}) == partition_key{1.0});
  CHECK(extract(R"({"pk":1.0})", {"/pk"}) == partition_key{1.0});
  CHECK(extract(R"({"pk":-2.5})", {"/pk"}) == partition_key{-2.5});
  CHECK(extract(R"({"pk":true})", {"/pk"}) == partition_key{true});
  CHECK(extract(R"({"pk":false})", {"/pk"}) == partition_key{false});
  // null and missing are different keys.
  CHECK(extract(R"({"pk":null})", {"/pk"}) == partition_key{nullptr});
  CHECK(extract(R"({"id":"1"})", {"/pk"}) == partition_key{pk_undefined{}});
  // Nested paths; a missing or non-object step is undefined.
  CHECK(extract(R"({"a":{"b":"x"}})", {"/a/b"}) == partition_key{std::string{"x"}});
  CHECK(extract(R"({"a":{"b":null}})", {"/a/b"}) == partition_key{nullptr});
  CHECK(extract(R"({"a":{}})", {"/a/b"}) == partition_key{pk_undefined{}});
  CHECK(extract(R"({"a":"str"})", {"/a/b"}) == partition_key{pk_undefined{}});
  CHECK(extract(R"({"a":[{"b":1}]})", {"/a/b"}) == partition_key{pk_undefined{}});
  // Objects and arrays at the end of the path count as undefined.
  CHECK(extract(R"({"pk":{"x":1}})", {"/pk"}) == partition_key{pk_undefined{}});
  CHECK(extract(R"({"pk":[1]})", {"/pk"}) == partition_key{pk_undefined{}});
  // Quoted segments.
  CHECK(extract(R"({"a/b":{"c d":7}})", {R"(/"a/b"/c d)"}) == partition_key{7.0});
  // Hierarchical keys: one component per path.
  CHECK(extract(R"({"tenant":"t","user":{"id":"u"}})", {"/tenant", "/user/id", "/session"}) ==
        partition_key{std::string{"t"}, std::string{"u"}, pk_undefined{}});
}

TEST_CASE("bad documents are refused with a reason", "[cosmos][pk]") {
  auto def = hash_on({"/pk"});
  auto not_object = extract_partition_key(std::string_view{"[1,2]"}, def);
  REQUIRE_FALSE(not_object);
  CHECK(bulkd::render(not_object.error()) == "invalid_argument: a document must be a JSON object");
  auto not_json = extract_partition_key(std::string_view{"{"}, def);
  REQUIRE_FALSE(not_json);
  CHECK_THAT(bulkd::render(not_json.error()),
             Catch::StartsWith("parse_error: the document is not valid JSON: "));
}

TEST_CASE("container partition key definitions parse", "[cosmos][pk]") {
  auto parse = [](std::string_view text) {
    auto def = parse_partition_key_definition(nlohmann::json::parse(text));
    REQUIRE(def);
    return *def;
  };
  auto js_default = parse(R"({"paths":["/pk"]})");
  CHECK(js_default.paths == std::vector<std::string>{"/pk"});
  CHECK(js_default.kind == partition_kind::hash);
  CHECK(js_default.version == 1);
  auto v2 = parse(R"({"paths":["/pk"],"kind":"Hash","version":2})");
  CHECK(v2.version == 2);
  auto hpk = parse(R"({"paths":["/tenant","/user/id"],"kind":"MultiHash","version":2})");
  CHECK(hpk.kind == partition_kind::multi_hash);
  CHECK(hpk.paths.size() == 2);
  CHECK(hpk.path_segments == std::vector<std::vector<std::string>>{{"tenant"}, {"user", "id"}});
  auto key = extract_partition_key(std::string_view{R"({"tenant":"t","user":{"id":2}})"}, hpk);
  REQUIRE(key);
  CHECK(*key == partition_key{std::string{"t"}, 2.0});
  auto made = make_partition_key_definition({"/pk"}, partition_kind::hash, 2);
  REQUIRE(made);
  CHECK(made->path_segments == std::vector<std::vector<std::string>>{{"pk"}});
  auto bad_made = make_partition_key_definition({}, partition_kind::hash, 2);
  REQUIRE_FALSE(bad_made);
  CHECK(bulkd::render(bad_made.error()) ==
        "invalid_argument: invalid partition key definition: 'paths' must be a non-empty array");
  auto reason = [](std::string_view text) {
    auto def = parse_partition_key_definition(nlohmann::json::parse(text));
    REQUIRE_FALSE(def);
    return bulkd::render(def.error());
  };
  CHECK(reason("[]") == "invalid_argument: invalid partition key definition: expected an object");
  CHECK(reason(R"({"paths":[]})") == "invalid_argument: invalid partition key definition: 'paths' "
                                     "must be a non-empty array");
  CHECK(reason(R"({"paths":[1]})") == "invalid_argument: invalid partition key definition: every "
                                      "path must be a string");
  CHECK(reason(R"({"paths":["pk"]})") == "invalid_argument: invalid partition key path 'pk': "
                                         "expected '/' at offset 0");
  CHECK(reason(R"({"paths":["/pk"],"kind":"Range"})") == "invalid_argument: invalid partition key "
                                                         "definition: unsupported kind \"Range\" "
                                                         "(expected Hash or MultiHash)");
  CHECK(reason(R"({"paths":["/pk"],"version":3})") == "invalid_argument: invalid partition key "
                                                      "definition: unsupported version 3 (expected "
                                                      "1 or 2)");
  CHECK(reason(R"({"paths":["/a","/b"],"kind":"Hash"})") == "invalid_argument: invalid partition "
                                                            "key definition: kind Hash takes "
                                                            "exactly one path, got 2");
  CHECK(reason(R"({"paths":["/a","/b"],"kind":"MultiHash"})") == "invalid_argument: invalid "
                                                                 "partition key definition: kind "
                                                                 "MultiHash needs version 2");
  CHECK(reason(R"({"paths":["/a","/b","/c","/d"],"kind":"MultiHash","version":2})") ==
        "invalid_argument: invalid partition key definition: kind MultiHash takes at most 3 "
        "paths, got 4");
}
