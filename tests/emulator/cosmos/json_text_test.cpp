#include "clients/cosmos/partition_key_definition.hpp"
#include "emulator/cosmos/document_keys.hpp"
#include "emulator/cosmos/json_text.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace bulkd::emulator::cosmos;

namespace {

std::string check(std::string_view text) {
  return json_check(text);
}

bulkd::cosmos::partition_key_definition pk_definition(std::vector<std::string> paths) {
  auto kind = paths.size() > 1 ? bulkd::cosmos::partition_kind::multi_hash
                               : bulkd::cosmos::partition_kind::hash;
  auto def = bulkd::cosmos::make_partition_key_definition(std::move(paths), kind, 2);
  REQUIRE(def);
  return *def;
}

} // namespace

TEST_CASE("json_text: valid texts pass, and nlohmann agrees", "[emulator][cosmos][json_text]") {
  for (const std::string& text : std::vector<std::string>{
           R"({})",
           R"( { "a" : [ 1 , -2.5e+3 , true , false , null , "x" ] } )",
           R"([[[[[]]]],{"":{}}])",
           R"("\u00e9\ud83d\ude00 \" \\ \/ \b\f\n\r\t")",
           "\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"",
           R"(0)",
           R"(-0.0E-0)",
           R"({"n":12345678901234567890123})",
           std::string(500, '[') + std::string(500, ']'),
       }) {
    INFO(text);
    CHECK(check(text).empty());
    CHECK_FALSE(nlohmann::json::parse(text, nullptr, false).is_discarded());
  }
}

TEST_CASE("json_text: bad texts fail with a message, as nlohmann does",
          "[emulator][cosmos][json_text]") {
  struct bad {
    std::string text;
    std::string message;
  };
  for (const auto& b : std::vector<bad>{
           {"", "the text is empty at byte 0"},
           {"   ", "the text is empty at byte 3"},
           {R"({"a":1,})", "expected a member name (a string) at byte 7"},
           {R"({"a" 1})", "expected ':' after a member name at byte 5"},
           {R"({"a":1 "b":2})", "expected ',' or '}' in an object at byte 7"},
           {R"([1 2])", "expected ',' or ']' in an array at byte 3"},
           {R"([1,])", "unexpected character ']', expected a value at byte 3"},
           {R"({"a":[1,2)", "unexpected end of the text in an array at byte 9"},
           {R"({"a":1)", "unexpected end of the text in an object at byte 6"},
           {R"({"a":)", "unexpected end of the text, expected a value at byte 5"},
           {R"("abc)", "unterminated string at byte 4"},
           {"\"a\x01\"", "control character in a string (must be escaped) at byte 2"},
           {R"("\x")", "invalid escape '\\x' in a string at byte 2"},
           {R"("\u12g4")", "invalid \\u escape: expected four hex digits at byte 3"},
           {R"("\ud800")", "invalid \\u escape: a high surrogate without a low one at byte 7"},
           {R"("\ud800\u0041")",
            "invalid \\u escape: a high surrogate without a low one at byte 13"},
           {R"("\udc00")", "invalid \\u escape: a low surrogate without a high one at byte 7"},
           {"\"\xc3\"", "invalid UTF-8 in a string at byte 1"},
           {"\"\xc0\xaf\"", "invalid UTF-8 in a string at byte 1"},         // overlong
           {"\"\xed\xa0\x80\"", "invalid UTF-8 in a string at byte 1"},     // a surrogate
           {"\"\xf4\x90\x80\x80\"", "invalid UTF-8 in a string at byte 1"}, // above U+10FFFF
           {"\"\xff\"", "invalid UTF-8 in a string at byte 1"},
           {"01", "unexpected text after the JSON value at byte 1"},
           {"-", "invalid number: expected a digit at byte 1"},
           {"1.", "invalid number: expected a digit after '.' at byte 2"},
           {"1e", "invalid number: expected a digit in the exponent at byte 2"},
           {"1e999", "number out of range: 1e999 at byte 0"},
           {"tru", "invalid literal, expected 'true' at byte 0"},
           {"nul!", "invalid literal, expected 'null' at byte 0"},
           {"{} x", "unexpected text after the JSON value at byte 3"},
           {"'a'", "unexpected character ''', expected a value at byte 0"},
       }) {
    INFO(b.text);
    CHECK(check(b.text) == b.message);
    CHECK(nlohmann::json::parse(b.text, nullptr, false).is_discarded());
  }
  std::vector<json_member> members;
  CHECK(json_object_members("[1]", members) == "expected a JSON object at byte 0");
  std::vector<std::string_view> elements;
  CHECK(json_array_elements(R"({"a":1})", elements) == "expected a JSON array at byte 0");
  CHECK(json_array_elements("[1,{]", elements) == "expected a member name (a string) at byte 4");
}

TEST_CASE("json_text: members and elements are the top level's spans",
          "[emulator][cosmos][json_text]") {
  std::vector<json_member> members;
  std::string text = R"( { "a" : [1, {"x":2}] , "b\"c":"v,}" ,"a": {} } )";
  for (bool checked : {false, true}) {
    REQUIRE(json_object_members(text, members, checked).empty());
    REQUIRE(members.size() == 3);
    CHECK(members[0].key == "a");
    CHECK(members[0].value == R"([1, {"x":2}])");
    CHECK(members[1].key == R"(b\"c)");
    CHECK(json_key(members[1].key) == R"(b"c)");
    CHECK(members[1].value == R"("v,}")");
    CHECK(members[2].value == "{}");
  }
  std::vector<std::string_view> elements;
  REQUIRE(json_array_elements(R"([ 1 ,"\\" , [] ,{"a":[2]}])", elements).empty());
  REQUIRE(elements.size() == 4);
  CHECK(elements[1] == R"("\\")");
  CHECK(elements[3] == R"({"a":[2]})");
  REQUIRE(json_array_elements("[]", elements).empty());
  CHECK(elements.empty());
}

TEST_CASE("json_text: strings, compaction and escaping", "[emulator][cosmos][json_text]") {
  CHECK(json_string(R"("plain")") == "plain");
  CHECK(json_string(R"("a\u0041\n")") == "aA\n");
  CHECK(json_string(R"("t\tq\"s\\l\/n\nb\bf\fr\r")") == "t\tq\"s\\l/n\nb\bf\fr\r");
  CHECK(json_string("12") == std::nullopt);
  CHECK(json_string("null") == std::nullopt);
  std::string out;
  json_append_compact(out, " { \"a b\" :\t[ 1 ,\n \"x \\\" y\\\\\" ] } ");
  CHECK(out == R"({"a b":[1,"x \" y\\"]})");
  out.clear();
  json_append_escaped(out, "a\"b\\c\x01");
  CHECK(out == R"(a\"b\\c\u0001)");
}

TEST_CASE("json_text: a document's id, key fields and stored body",
          "[emulator][cosmos][json_text]") {
  auto def = pk_definition({"/pk"});
  document_source doc;
  REQUIRE(read_document_source(
              R"( {"id" : "d1", "_rid":"x", "pk": "p", "n": [1, 2], "_etag":"e", "_ts":1,)"
              R"( "_self":"s", "_attachments":"a", "_lsn":3, "z":{"_rid":1}} )",
              def, doc)
              .empty());
  CHECK(doc.id == "d1");
  CHECK(doc.key_fields == nlohmann::json{{"pk", "p"}});
  // Order kept, whitespace and system properties (top level only) gone.
  CHECK(doc.body == R"({"id":"d1","pk":"p","n":[1,2],"z":{"_rid":1}})");

  auto nested = pk_definition({"/a/b"});
  REQUIRE(read_document_source(R"({"id":7,"a":{"b":"k"},"\u0069d":"esc"})", nested, doc).empty());
  CHECK(doc.id == "esc"); // the escaped duplicate comes last and wins
  CHECK(doc.key_fields == nlohmann::json{{"a", {{"b", "k"}}}});

  REQUIRE(read_document_source(R"({"id":7})", def, doc).empty());
  CHECK(doc.has_id);
  CHECK_FALSE(doc.id);
  CHECK(read_document_source(R"([1])", def, doc) == "expected a JSON object at byte 0");
  CHECK(read_document_source(R"({"id":"x",})", def, doc) ==
        "expected a member name (a string) at byte 10");
}
