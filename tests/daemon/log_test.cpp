#include "daemon/log.hpp"
#include "daemon/log_format.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <regex>
#include <sstream>
#include <string>
#include <vector>

using namespace bulkd;

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> result;
  std::istringstream in{text};
  for (std::string line; std::getline(in, line);)
    result.push_back(line);
  return result;
}

// Strips the timestamp so lines can be compared exactly.
std::string without_ts(const std::string& line) {
  static const std::regex ts{R"(^ts=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z )"};
  REQUIRE(std::regex_search(line, ts));
  return std::regex_replace(line, ts, "");
}

} // namespace

TEST_CASE("logfmt values are quoted only when needed and escaped", "[log]") {
  CHECK(logfmt_value("load-products") == "load-products");
  CHECK(logfmt_value("a\\b") == "a\\b");
  CHECK(logfmt_value("") == "\"\"");
  CHECK(logfmt_value("two words") == "\"two words\"");
  CHECK(logfmt_value("k=v") == "\"k=v\"");
  CHECK(logfmt_value("say \"hi\"") == R"("say \"hi\"")");
  CHECK(logfmt_value("back\\slash and space") == R"("back\\slash and space")");
  CHECK(logfmt_value("line1\nline2\ttab\r") == R"("line1\nline2\ttab\r")");
  CHECK(logfmt_value(std::string{"nul\0bell\a", 9}) == R"("nul\u0000bell\u0007")");
  CHECK(logfmt_value("caf\xC3\xA9") == "caf\xC3\xA9");             // valid UTF-8 stays
  CHECK(logfmt_value("bad\xFFutf8") == "\"bad\xEF\xBF\xBDutf8\""); // invalid -> U+FFFD
}

TEST_CASE("JSON strings escape quotes, controls and invalid UTF-8", "[log]") {
  CHECK(json_string("plain") == "\"plain\"");
  CHECK(json_string("q\"b\\n\n") == R"("q\"b\\n\n")");
  CHECK(json_string(std::string{"\x01\x1f\x7f", 3}) == R"("\u0001\u001f\u007f")");
  CHECK(json_string("\xE2\x82\xAC") == "\"\xE2\x82\xAC\"");
  CHECK(json_string("\xC0\xAF") == R"("\ufffd\ufffd")");           // overlong encoding
  CHECK(json_string("\xED\xA0\x80") == R"("\ufffd\ufffd\ufffd")"); // UTF-16 surrogate
  CHECK(json_string("\xE2\x82") == R"("\ufffd\ufffd")");           // truncated
}

TEST_CASE("logfmt records carry level, message and fields", "[log]") {
  std::ostringstream out;
  configure_logging(spdlog::level::info, log_format::logfmt, out);
  log::info("text with \"quotes\"", {{"job", "load-products"}, {"docs", 100}, {"ok", true}});
  log::warn("ratio", {{"ru", 12.5}, {"neg", -3}, {"big", uint64_t{18446744073709551615u}}});
  log::error("odd keys", {{"a b", "x"}, {"msg", "shadow"}, {"", "empty"}});
  spdlog::info("plain spdlog call {}", 7);
  log::info("braces {} stay", {{"fmt", "{}"}});
  auto lines = lines_of(out.str());
  REQUIRE(lines.size() == 5);
  CHECK(without_ts(lines[0]) ==
        R"(level=info msg="text with \"quotes\"" job=load-products docs=100 ok=true)");
  CHECK(without_ts(lines[1]) == "level=warn msg=ratio ru=12.5 neg=-3 big=18446744073709551615");
  CHECK(without_ts(lines[2]) == R"(level=error msg="odd keys" a_b=x _msg=shadow _=empty)");
  CHECK(without_ts(lines[3]) == R"(level=info msg="plain spdlog call 7")");
  CHECK(without_ts(lines[4]) == R"(level=info msg="braces {} stay" fmt={})");
}

TEST_CASE("JSON records are one valid object per line", "[log]") {
  std::ostringstream out;
  configure_logging(spdlog::level::trace, log_format::json, out);
  log::trace("tricky \"msg\"\n\\ \x01 \xFF", {{"job", "a\"b"}, {"docs", 3}, {"ratio", 0.25}});
  log::info("nan", {{"v", std::nan("")}, {"level", "shadow"}, {"flag", false}});
  spdlog::error("direct");
  auto lines = lines_of(out.str());
  REQUIRE(lines.size() == 3);
  std::vector<nlohmann::json> docs;
  for (const auto& line : lines)
    docs.push_back(nlohmann::json::parse(line)); // throws (fails the test) when not valid JSON
  CHECK(docs[0]["level"] == "trace");
  CHECK(docs[0]["msg"] == "tricky \"msg\"\n\\ \x01 \xEF\xBF\xBD");
  CHECK(docs[0]["job"] == "a\"b");
  CHECK(docs[0]["docs"] == 3);
  CHECK(docs[0]["ratio"] == 0.25);
  CHECK(std::regex_match(docs[0]["ts"].get<std::string>(),
                         std::regex{R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)"}));
  CHECK(docs[1]["v"] == "NaN");
  CHECK(docs[1]["level"] == "info");
  CHECK(docs[1]["_level"] == "shadow");
  CHECK(docs[1]["flag"] == false);
  CHECK(docs[2] == nlohmann::json{{"ts", docs[2]["ts"]}, {"level", "error"}, {"msg", "direct"}});
}

TEST_CASE("the level filters records and can change at run time", "[log]") {
  std::ostringstream out;
  configure_logging(spdlog::level::warn, log_format::logfmt, out);
  log::debug("hidden");
  log::info("hidden");
  spdlog::info("hidden");
  log::warn("shown1");
  log::error("shown2");
  set_log_level(spdlog::level::debug);
  log::trace("hidden");
  log::debug("shown3");
  set_log_format(log_format::json);
  log::info("shown4");
  auto lines = lines_of(out.str());
  REQUIRE(lines.size() == 4);
  CHECK(lines[0].find("msg=shown1") != std::string::npos);
  CHECK(lines[1].find("level=error msg=shown2") != std::string::npos);
  CHECK(lines[2].find("level=debug msg=shown3") != std::string::npos);
  CHECK(nlohmann::json::parse(lines[3])["msg"] == "shown4");
}

TEST_CASE("log levels and formats parse, bad ones are refused with a message", "[log]") {
  CHECK(parse_log_level("trace") == spdlog::level::trace);
  CHECK(parse_log_level("warning") == spdlog::level::warn);
  CHECK(parse_log_level("error") == spdlog::level::err);
  auto bad = parse_log_level("loud");
  REQUIRE_FALSE(bad);
  CHECK(render(bad.error()).find("unknown log level 'loud'") != std::string::npos);
  CHECK(to_spdlog_level(log_level::trace) == spdlog::level::trace);
  CHECK(to_spdlog_level(log_level::warn) == spdlog::level::warn);
  CHECK(to_spdlog_level(log_level::error) == spdlog::level::err);
  CHECK(parse_log_format("json") == log_format::json);
  auto bad_format = parse_log_format("xml");
  REQUIRE_FALSE(bad_format);
  CHECK(render(bad_format.error()).find("unknown log format 'xml' (expected logfmt or json)") !=
        std::string::npos);
}
