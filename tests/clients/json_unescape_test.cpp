#include "clients/json_unescape.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using bulkd::json_unescape;

namespace {

std::string unescaped(std::string_view raw) {
  std::string out = "left over";
  json_unescape(raw, out);
  return out;
}

} // namespace

TEST_CASE("json_unescape decodes every JSON escape as a JSON parser does", "[json_unescape]") {
  for (std::string raw : {R"(plain)", R"(a\"b\\c\/d)", R"(\b\f\n\r\t)", R"(\u0041\u00e9\u20AC)",
                          R"(\ud83d\ude00 smile)", R"(\uD834\uDD1E clef)", R"(\u0000nul)", ""}) {
    INFO(raw);
    auto expected = nlohmann::json::parse("\"" + raw + "\"").get<std::string>();
    CHECK(unescaped(raw) == expected);
  }
}

TEST_CASE("json_unescape does not read past a truncated surrogate pair", "[json_unescape]") {
  // Not valid JSON (callers validate first), but decoding must stay inside the input.
  CHECK(unescaped(R"(\ud83d)") == "\xED\xA0\xBD");
  CHECK(unescaped(R"(\ud83dx)") == "\xED\xA0\xBDx");
  CHECK(unescaped("tail\\") == "tail\\");
}
