#include "clients/error.hpp"
#include "jobs/glob.hpp"

#include <catch2/catch.hpp>

#include <string>

using bulkd::glob_pattern;

namespace {

bool match(const std::string& pattern, const std::string& text, bool path_mode = false) {
  auto g = glob_pattern::parse(pattern);
  REQUIRE(g);
  return g->matches(text, path_mode);
}

std::string parse_error(const std::string& pattern) {
  auto g = glob_pattern::parse(pattern);
  REQUIRE_FALSE(g);
  return bulkd::render(g.error());
}

} // namespace

TEST_CASE("glob: literals match the whole string, case-sensitively", "[glob]") {
  CHECK(match("abc", "abc"));
  CHECK_FALSE(match("abc", "abd"));
  CHECK_FALSE(match("abc", "abcd"));
  CHECK_FALSE(match("abc", "ab"));
  CHECK_FALSE(match("abc", ""));
  CHECK_FALSE(match("abc", "ABC"));
  CHECK_FALSE(match("ABC", "abc"));
  CHECK_FALSE(match("a*", "A"));
  CHECK_FALSE(match("[a-z]", "A"));
}

TEST_CASE("glob: star matches any run, including an empty one", "[glob]") {
  CHECK(match("*", ""));
  CHECK(match("*", "anything at all"));
  CHECK(match("a*", "a"));
  CHECK(match("a*", "abc"));
  CHECK_FALSE(match("a*", "ba"));
  CHECK(match("*.json", ".json"));
  CHECK(match("*.json", "x.json"));
  CHECK_FALSE(match("*.json", "x.jsonl"));
  CHECK(match("a*b*c", "abc"));
  CHECK(match("a*b*c", "aXXbYYbZZc"));
  CHECK_FALSE(match("a*b*c", "aXXbYYcZZ"));
  CHECK(match("**", ""));
  CHECK(match("a**b", "aXb"));
  CHECK(match("*ab", "aab")); // the star must give back characters
}

TEST_CASE("glob: question mark matches exactly one character", "[glob]") {
  CHECK(match("a?c", "abc"));
  CHECK_FALSE(match("a?c", "ac"));
  CHECK_FALSE(match("a?c", "abbc"));
  CHECK_FALSE(match("?", ""));
  CHECK(match("???", "xyz"));
  // Byte-wise: a two-byte UTF-8 character needs two '?'.
  CHECK_FALSE(match("?", "\xc3\xa9"));
  CHECK(match("??", "\xc3\xa9"));
}

TEST_CASE("glob: bracket classes", "[glob]") {
  CHECK(match("[abc]x", "bx"));
  CHECK_FALSE(match("[abc]x", "dx"));
  CHECK(match("[a-z]", "m"));
  CHECK_FALSE(match("[a-z]", "0"));
  CHECK(match("[a-cx-z0-9]", "y"));
  CHECK(match("[a-cx-z0-9]", "5"));
  CHECK_FALSE(match("[a-cx-z0-9]", "d"));
  CHECK(match("[!a-z]", "0"));
  CHECK_FALSE(match("[!a-z]", "q"));
  CHECK(match("[^0-9]", "a"));
  CHECK_FALSE(match("[^0-9]", "7"));
  CHECK_FALSE(match("[!x]", ""));
  // '-' first or last is literal; '\' escapes inside brackets.
  CHECK(match("[-a]", "-"));
  CHECK(match("[a-]", "-"));
  CHECK_FALSE(match("[a-]", "b"));
  CHECK(match("[\\]]", "]"));
  CHECK(match("[\\!a]", "!"));
  CHECK(match("[a\\-z]", "-"));
  CHECK_FALSE(match("[a\\-z]", "m"));
  CHECK(match("[*?]", "*"));
  CHECK_FALSE(match("[*?]", "a"));
}

TEST_CASE("glob: backslash escapes wildcards", "[glob]") {
  CHECK(match("\\*", "*"));
  CHECK_FALSE(match("\\*", "a"));
  CHECK(match("a\\?b", "a?b"));
  CHECK_FALSE(match("a\\?b", "axb"));
  CHECK(match("\\[x]", "[x]"));
  CHECK(match("a\\\\b", "a\\b"));
  CHECK(match("\\a", "a"));
}

TEST_CASE("glob: other special characters are plain", "[glob]") {
  CHECK(match("a.b", "a.b"));
  CHECK_FALSE(match("a.b", "axb"));
  CHECK(match("(x)+^$|", "(x)+^$|"));
  CHECK(match("{a,b}", "{a,b}"));
  CHECK_FALSE(match("{a,b}", "a"));
  CHECK(match("]", "]"));
  CHECK(match("a b", "a b"));
}

TEST_CASE("glob: path mode keeps wildcards inside one path segment", "[glob]") {
  CHECK(match("*.jsonl", "a.jsonl", true));
  CHECK_FALSE(match("*.jsonl", "dir/a.jsonl", true));
  CHECK(match("*.jsonl", "dir/a.jsonl", false));
  CHECK(match("/var/*/in/*.gz", "/var/lib/in/x.gz", true));
  CHECK_FALSE(match("/var/*/in/*.gz", "/var/lib/x/in/x.gz", true));
  CHECK(match("/var/*/in/*.gz", "/var/lib/x/in/x.gz", false));
  CHECK_FALSE(match("a?c", "a/c", true));
  CHECK(match("a?c", "a/c", false));
  CHECK_FALSE(match("a[/]c", "a/c", true));
  CHECK(match("a[/]c", "a/c", false));
  CHECK_FALSE(match("a[!b]c", "a/c", true));
  CHECK(match("a/b", "a/b", true));
  CHECK(match("*/*", "a/b", true));
  CHECK_FALSE(match("*/*", "a/b/c", true));
  CHECK(match("*/*", "a/b/c", false));
  CHECK(match("*x/*y", "axbx/cy", true));
  CHECK_FALSE(match("*a/b", "xa/ya/b", true));
  CHECK(match("*a/b", "xa/ya/b", false));
  CHECK(match("/in/products-*.jsonl.gz", "/in/products-2024-01.jsonl.gz", true));
  CHECK(match("*/", "dir/", true));
  CHECK(match("/*", "/", true));
}

TEST_CASE("glob: long inputs do not blow up", "[glob]") {
  std::string as(200, 'a');
  CHECK_FALSE(match("a*a*a*a*a*b", as));
  CHECK(match("a*a*a*a*a*b", as + "b"));
  std::string big(100000, 'a');
  CHECK_FALSE(match("*a*a*a*a*a*a*a*a*a*a*c", big));
  CHECK(match("*a*a*a*a*a*a*a*a*a*a*", big));
  CHECK_FALSE(match("*a*a*a*a*a*b", big, true));
}

TEST_CASE("glob: has_wildcards and text", "[glob]") {
  auto wild = [](const std::string& p) {
    auto g = glob_pattern::parse(p);
    REQUIRE(g);
    return g->has_wildcards();
  };
  CHECK(wild("a*"));
  CHECK(wild("a?"));
  CHECK(wild("[ab]"));
  CHECK_FALSE(wild("abc"));
  CHECK_FALSE(wild("a\\*"));
  CHECK_FALSE(wild("/var/lib/in.jsonl"));
  auto g = glob_pattern::parse("key-*");
  REQUIRE(g);
  CHECK(g->text() == "key-*");
}

TEST_CASE("glob: bad patterns are rejected with the problem", "[glob]") {
  CHECK(parse_error("") == "invalid_argument: empty glob pattern");
  CHECK(parse_error("abc[") == "invalid_argument: glob \"abc[\": unclosed '[' at offset 3");
  CHECK(parse_error("[a-z") == "invalid_argument: glob \"[a-z\": unclosed '[' at offset 0");
  CHECK(parse_error("x[\\") == "invalid_argument: glob \"x[\\\": unclosed '[' at offset 1");
  CHECK(parse_error("abc\\") == "invalid_argument: glob \"abc\\\": trailing '\\' escapes nothing");
  CHECK(parse_error("[]") == "invalid_argument: glob \"[]\": empty '[]' class at offset 0");
  CHECK(parse_error("a[]]") == "invalid_argument: glob \"a[]]\": empty '[]' class at offset 1");
  CHECK(parse_error("[!]") == "invalid_argument: glob \"[!]\": empty '[]' class at offset 0");
  CHECK(parse_error("[z-a]") ==
        "invalid_argument: glob \"[z-a]\": range z-a is reversed in '[' at offset 0");
}
