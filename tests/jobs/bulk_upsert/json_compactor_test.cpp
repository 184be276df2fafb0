#include "jobs/bulk_upsert/json_compactor.hpp"
#include "jobs/bulk_upsert/utf8.hpp"
#include "jobs/bulk_upsert/uuid.hpp"

#include <catch2/catch.hpp>

#include <set>

using namespace bulkd;

namespace {

std::string compact(std::string_view text) {
  json_compactor c;
  std::string out;
  if (auto failure = c.compact(text, out))
    return "ERROR " + failure->what + " @" + std::to_string(failure->offset);
  return out;
}

json_pointer ptr(const std::string& text) {
  auto p = parse_json_pointer(text);
  REQUIRE(p);
  return *p;
}

} // namespace

TEST_CASE("json compactor: removes whitespace, keeps everything else", "[bulk_inputs][json]") {
  CHECK(compact(" { \"a\" : [ 1 , 2.5e-3 , -0 , true , false , null ] ,\t\"b\\n\" : \"x y\" } ") ==
        R"({"a":[1,2.5e-3,-0,true,false,null],"b\n":"x y"})");
  CHECK(compact("\"\\u00e9\\ud83d\\ude00 \xE2\x82\xAC\"") ==
        "\"\\u00e9\\ud83d\\ude00 \xE2\x82\xAC\"");
  CHECK(compact("[]") == "[]");
  CHECK(compact("{}") == "{}");
  CHECK(compact("12") == "12");
}

TEST_CASE("json compactor: grammar errors name the byte and offset", "[bulk_inputs][json]") {
  CHECK(compact("") == "ERROR invalid JSON: unexpected end of input @0");
  CHECK(compact("{\"a\":01}") == "ERROR invalid JSON: unexpected '1' @6");
  CHECK(compact("{\"a\":1.}") == "ERROR invalid JSON: unexpected '}' @7");
  CHECK(compact("{\"a\":-}") == "ERROR invalid JSON: unexpected '}' @6");
  CHECK(compact("{\"a\":1e}") == "ERROR invalid JSON: unexpected '}' @7");
  CHECK(compact("{\"a\":nul}") == "ERROR invalid JSON: unexpected '}' @8");
  CHECK(compact("{a:1}") == "ERROR invalid JSON: unexpected 'a' @1");
  CHECK(compact("{\"a\" 1}") == "ERROR invalid JSON: unexpected '1' @5");
  CHECK(compact("[1 2]") == "ERROR invalid JSON: unexpected '2' @3");
  CHECK(compact("{\"a\":1}}") == "ERROR invalid JSON: unexpected '}' after the value @7");
  CHECK(compact("'a'") == "ERROR invalid JSON: unexpected ''' @0");
  CHECK(compact("[1e308,-1e-400]") == "[1e308,-1e-400]");
  CHECK(compact("[1,-1e309]") == "ERROR invalid JSON: number out of range for a double @3");
  CHECK(compact(std::string(309, '9')) ==
        "ERROR invalid JSON: number out of range for a double @0");
  CHECK(compact("NaN") == "ERROR invalid JSON: unexpected 'N' @0");
  CHECK(compact("\"\\u12g4\"") == "ERROR invalid JSON: invalid \\u escape @1");
  CHECK(compact("\"\\udc00\"") ==
        "ERROR invalid JSON: unpaired UTF-16 surrogate in a \\u escape @1");
  CHECK(compact("\"\\ud800x\"") ==
        "ERROR invalid JSON: unpaired UTF-16 surrogate in a \\u escape @1");
  CHECK(compact("\"a\tb\"") ==
        "ERROR invalid JSON: unescaped control character byte 0x09 in a string @2");
}

TEST_CASE("json compactor: invalid UTF-8 is found in strings", "[bulk_inputs][json]") {
  CHECK(compact("\"\xC0\xAF\"") == "ERROR invalid UTF-8 @1");         // overlong
  CHECK(compact("\"ab\xED\xA0\x80\"") == "ERROR invalid UTF-8 @3");   // surrogate
  CHECK(compact("\"\xF4\x90\x80\x80\"") == "ERROR invalid UTF-8 @1"); // > U+10FFFF
  CHECK(compact("\"\xE2\x82\"") == "ERROR invalid UTF-8 @1");         // cut short
  CHECK(compact("\"\x80\"") == "ERROR invalid UTF-8 @1");             // lone continuation
  CHECK(compact("{\"k\xFF\":1}") == "ERROR invalid UTF-8 @3");        // in a key
  CHECK(compact("\"\xF0\x9F\x98\x80\"") == "\"\xF0\x9F\x98\x80\"");   // valid 4-byte
}

TEST_CASE("json compactor: nesting is limited", "[bulk_inputs][json]") {
  std::string ok(json_compactor::max_depth, '[');
  ok += std::string(json_compactor::max_depth, ']');
  CHECK(compact(ok) == ok);
  std::string deep(json_compactor::max_depth + 1, '[');
  deep += std::string(json_compactor::max_depth + 1, ']');
  CHECK(compact(deep) == "ERROR invalid JSON: nested deeper than 128 levels @128");
  std::string very_deep(100000, '[');
  CHECK(compact(very_deep) == "ERROR invalid JSON: nested deeper than 128 levels @128");
}

TEST_CASE("json compactor: captures values at pointers, the last duplicate wins",
          "[bulk_inputs][json]") {
  json_compactor c{{ptr("/id"), ptr("/a/b"), ptr("/l/1"), ptr("/e~1f"), ptr("/n"), ptr("/x")}};
  std::string out;
  REQUIRE(!c.compact(R"({"id":"1","a":{"b":"first"},"l":[0,{"z":1}],"e/f":null,"n":-1.5e2,)"
                     R"("a":{"b":"\u0041\"q"},"id":"2"})",
                     out));
  const auto& caps = c.captures();
  CHECK(caps[0].kind == json_capture::string);
  CHECK(caps[0].text == "2");
  CHECK(caps[1].text == "A\"q");
  CHECK(caps[2].kind == json_capture::object);
  CHECK(caps[3].kind == json_capture::null);
  CHECK(caps[4].kind == json_capture::number);
  CHECK(caps[4].text == "-1.5e2");
  CHECK(caps[5].kind == json_capture::missing);
  // Captures are reset for the next text.
  out.clear();
  REQUIRE(!c.compact(R"({"x":true})", out));
  CHECK(c.captures()[0].kind == json_capture::missing);
  CHECK(c.captures()[5].kind == json_capture::boolean);
  CHECK(c.captures()[5].flag);
}

TEST_CASE("json pointers: parsing", "[bulk_inputs][json]") {
  CHECK(ptr("/a~0b/c~1d/").segments == std::vector<std::string>{"a~b", "c/d", ""});
  auto bad = parse_json_pointer("/a~");
  REQUIRE(!bad);
  auto empty = parse_json_pointer("");
  REQUIRE(!empty);
}

TEST_CASE("utf8 excerpts are valid UTF-8 and cut at a character boundary", "[bulk_inputs][json]") {
  CHECK(utf8_excerpt("ab\xFF"
                     "c") == "ab\xEF\xBF\xBD"
                             "c");
  CHECK(utf8_excerpt("\xE2\x82\xAC\xE2\x82\xAC", 4) == "\xE2\x82\xAC");
  CHECK(find_invalid_utf8("ok \xE2\x82\xAC") == std::string_view::npos);
  CHECK(find_invalid_utf8("ok \xE2\x82") == 3);
}

TEST_CASE("uuid v4: format and uniqueness", "[bulk_inputs][json]") {
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    auto u = random_uuid_v4();
    REQUIRE(u.size() == 36);
    CHECK(u[14] == '4');
    CHECK((u[19] == '8' || u[19] == '9' || u[19] == 'a' || u[19] == 'b'));
    seen.insert(u);
  }
  CHECK(seen.size() == 1000);
}
