#include "emulator/cosmos/sql/lexer.hpp"
#include "emulator/cosmos/sql/sql_error.hpp"

#include <catch2/catch.hpp>

namespace sql = bulkd::emulator::cosmos::sql;
using sql::token_kind;

TEST_CASE("cosmos sql lexer: kinds, texts and positions", "[cosmos_sql]") {
  auto toks = sql::tokenize("SELECT c.a <> @p1\n  FROM c WHERE c['x y'] >= -1.5e3");
  REQUIRE(toks);
  struct expected_token {
    token_kind kind;
    const char* text;
    uint32_t line;
    uint32_t column;
  };
  const expected_token expected[] = {
      {token_kind::identifier, "SELECT", 1, 1},
      {token_kind::identifier, "c", 1, 8},
      {token_kind::symbol, ".", 1, 9},
      {token_kind::identifier, "a", 1, 10},
      {token_kind::symbol, "<>", 1, 12},
      {token_kind::parameter, "@p1", 1, 15},
      {token_kind::identifier, "FROM", 2, 3},
      {token_kind::identifier, "c", 2, 8},
      {token_kind::identifier, "WHERE", 2, 10},
      {token_kind::identifier, "c", 2, 16},
      {token_kind::symbol, "[", 2, 17},
      {token_kind::string, "x y", 2, 18},
      {token_kind::symbol, "]", 2, 23},
      {token_kind::symbol, ">=", 2, 25},
      {token_kind::symbol, "-", 2, 28},
      {token_kind::number, "1.5e3", 2, 29},
      {token_kind::end, "", 2, 34},
  };
  REQUIRE(toks->size() == std::size(expected));
  for (size_t i = 0; i < toks->size(); ++i) {
    INFO("token " << i);
    CHECK((*toks)[i].kind == expected[i].kind);
    CHECK((*toks)[i].text == expected[i].text);
    CHECK((*toks)[i].pos.line == expected[i].line);
    CHECK((*toks)[i].pos.column == expected[i].column);
  }
}

TEST_CASE("cosmos sql lexer: string escapes are decoded", "[cosmos_sql]") {
  auto toks = sql::tokenize(R"('a\'b\"c\\d\/e\b\f\n\r\t' "q\"\u00e9\ud83d\ude00")");
  REQUIRE(toks);
  REQUIRE(toks->size() == 3);
  CHECK((*toks)[0].kind == token_kind::string);
  CHECK((*toks)[0].text == "a'b\"c\\d/e\b\f\n\r\t");
  CHECK((*toks)[1].text == "q\"\xc3\xa9\xf0\x9f\x98\x80");
  auto mixed = sql::tokenize(R"('say "hi"' "it's")");
  REQUIRE(mixed);
  CHECK((*mixed)[0].text == "say \"hi\"");
  CHECK((*mixed)[1].text == "it's");
}

TEST_CASE("cosmos sql lexer: columns count code points", "[cosmos_sql]") {
  auto toks = sql::tokenize("'\xc3\xa9\xe2\x82\xac' x");
  REQUIRE(toks);
  CHECK((*toks)[1].pos.column == 6);
}

TEST_CASE("cosmos sql lexer: bad input", "[cosmos_sql]") {
  struct bad {
    const char* text;
    const char* message;
  };
  const bad cases[] = {
      {"'abc", "unterminated string at 1:1"},
      {"x = \"abc\\\"", "unterminated string at 1:5"},
      {"'abc\\", "unterminated string at 1:1"},
      {"'\\x'", "invalid escape sequence '\\x' at 1:2"},
      {"'\\u00g0'", "invalid \\u escape at 1:2"},
      {"'\\udc00'", "unpaired surrogate in \\u escape at 1:2"},
      {"'\\ud83d\\u0041'", "unpaired surrogate in \\u escape at 1:2"},
      {"a ; b", "unexpected character ';' at 1:3"},
      {"a\n  `", "unexpected character '`' at 2:3"},
      {"@ x", "invalid parameter name at 1:1"},
      {"1e+", "invalid number exponent at 1:2"},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    auto toks = sql::tokenize(c.text);
    REQUIRE_FALSE(toks);
    CHECK(sql::error_message(toks.error()) == c.message);
  }
}
