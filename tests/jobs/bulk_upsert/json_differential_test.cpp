// The compactor against nlohmann::json on many generated and mutated texts: both must agree on
// what is valid, and the compact form must parse to the same value.

#include "jobs/bulk_upsert/json_compactor.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <random>

using namespace bulkd;

namespace {

struct generator {
  std::mt19937 rng{12345};

  size_t pick(size_t n) { return std::uniform_int_distribution<size_t>(0, n - 1)(rng); }

  std::string ws() {
    static const char* choices[] = {"", "", "", " ", "\t", "\n ", "\r\n"};
    return choices[pick(7)];
  }

  std::string string_literal() {
    static const char* pieces[] = {"a",
                                   "xyz",
                                   "\\n",
                                   "\\\"",
                                   "\\\\",
                                   "\\u00e9",
                                   "\\ud83d\\ude00",
                                   "\xC3\xA9",
                                   "\xE2\x82\xAC",
                                   "\xF0\x9F\x98\x80",
                                   " ",
                                   "/",
                                   "\\/"};
    std::string s = "\"";
    for (size_t i = pick(5); i > 0; --i)
      s += pieces[pick(13)];
    return s + "\"";
  }

  std::string value(int depth) {
    switch (depth > 4 ? pick(4) : pick(6)) {
    case 0: {
      static const char* numbers[] = {"0", "-1", "12.5", "1e3", "-0.0E-2", "123456789012"};
      return numbers[pick(6)];
    }
    case 1:
      return string_literal();
    case 2: {
      static const char* literals[] = {"true", "false", "null"};
      return literals[pick(3)];
    }
    case 3:
      return string_literal();
    case 4: {
      std::string s = "[" + ws();
      for (size_t i = 0, n = pick(4); i < n; ++i)
        s += (i ? "," + ws() : "") + value(depth + 1) + ws();
      return s + "]";
    }
    default: {
      std::string s = "{" + ws();
      for (size_t i = 0, n = pick(4); i < n; ++i)
        s += (i ? "," + ws() : "") + string_literal() + ws() + ":" + ws() + value(depth + 1) + ws();
      return s + "}";
    }
    }
  }

  std::string mutate(std::string s) {
    static const char bytes[] = {'{', '}', '[', ']', ',', ':',    '"',    '\\',   'u',    '0',
                                 '-', '.', 'e', 't', ' ', '\x01', '\x80', '\xC3', '\xED', '\xFF'};
    if (s.empty())
      return s;
    switch (pick(3)) {
    case 0:
      s[pick(s.size())] = bytes[pick(sizeof bytes)];
      break;
    case 1:
      s.erase(pick(s.size()), 1);
      break;
    default:
      s.insert(pick(s.size()), 1, bytes[pick(sizeof bytes)]);
    }
    return s;
  }
};

} // namespace

TEST_CASE("json compactor agrees with nlohmann::json", "[bulk_inputs][json]") {
  generator gen;
  json_compactor compactor;
  size_t valid = 0;
  size_t invalid = 0;
  for (int i = 0; i < 20000; ++i) {
    auto text = gen.value(0);
    if (i % 2 == 1)
      text = gen.mutate(text);
    std::string out;
    auto failure = compactor.compact(text, out);
    bool reference = nlohmann::json::accept(text);
    INFO(text);
    REQUIRE(failure.has_value() != reference);
    if (failure) {
      ++invalid;
      REQUIRE(failure->offset <= text.size());
      continue;
    }
    ++valid;
    REQUIRE(nlohmann::json::parse(out) == nlohmann::json::parse(text));
    // Compact: re-compacting changes nothing.
    std::string again;
    REQUIRE(!compactor.compact(out, again));
    REQUIRE(again == out);
  }
  CHECK(valid > 5000);
  CHECK(invalid > 2000);
}
