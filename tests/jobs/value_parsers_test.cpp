#include "jobs/byte_size.hpp"
#include "jobs/diagnostic.hpp"
#include "jobs/duration.hpp"
#include "jobs/error_text.hpp"
#include "jobs/job_spec.hpp"
#include "jobs/secret.hpp"
#include "jobs/timestamp.hpp"
#include "clients/url.hpp"

#include <catch2/catch.hpp>

#include <sstream>

using namespace bulkd;
using namespace std::chrono_literals;

TEST_CASE("durations parse with units and print in their shortest form", "[jobs][duration]") {
  CHECK(*parse_duration("250ms") == 250ms);
  CHECK(*parse_duration("30s") == 30s);
  CHECK(*parse_duration("5m") == 5min);
  CHECK(*parse_duration("1h") == 1h);
  CHECK(*parse_duration("1d") == 24h);
  CHECK(*parse_duration("0s") == 0ms);
  CHECK(format_duration(90s) == "90s");
  CHECK(format_duration(300s) == "5m");
  CHECK(format_duration(1500ms) == "1500ms");
  CHECK(format_duration(48h) == "2d");
  CHECK(format_duration(0ms) == "0s");
}

TEST_CASE("bad durations are rejected with the reason", "[jobs][duration]") {
  auto why = [](const char* text) { return error_text(parse_duration(text).error()); };
  CHECK(why("-1s") == "invalid duration '-1s': negative (expected e.g. 250ms, 30s, 5m, 1h, 1d)");
  CHECK(why("10") == "invalid duration '10': missing unit (expected e.g. 250ms, 30s, 5m, 1h, 1d)");
  CHECK(why("s") == "invalid duration 's': no number (expected e.g. 250ms, 30s, 5m, 1h, 1d)");
  CHECK(why("") == "invalid duration '': empty (expected e.g. 250ms, 30s, 5m, 1h, 1d)");
  CHECK(why("1.5s") == "invalid duration '1.5s': unknown unit (expected e.g. 250ms, 30s, 5m, 1h, "
                       "1d)");
  CHECK(why("5 s") == "invalid duration '5 s': unknown unit (expected e.g. 250ms, 30s, 5m, 1h, "
                      "1d)");
  CHECK(why("99999999999999999999d") ==
        "invalid duration '99999999999999999999d': too large (expected e.g. 250ms, 30s, 5m, "
        "1h, 1d)");
  CHECK(why("1w") == "invalid duration '1w': unknown unit (expected e.g. 250ms, 30s, 5m, 1h, 1d)");
}

TEST_CASE("sizes parse binary and decimal units", "[jobs][byte_size]") {
  CHECK(*parse_byte_size("256MiB") == 256ull << 20);
  CHECK(*parse_byte_size("1GB") == 1'000'000'000ull);
  CHECK(*parse_byte_size("512KiB") == 512ull << 10);
  CHECK(*parse_byte_size("1048576") == 1048576ull);
  CHECK(*parse_byte_size("10B") == 10ull);
  CHECK(format_byte_size(256ull << 20) == "256MiB");
  CHECK(format_byte_size(1'000'000'000ull) == "1GB");
  CHECK(format_byte_size(1001) == "1001");
  auto why = [](const char* text) { return error_text(parse_byte_size(text).error()); };
  CHECK(why("-1MiB") == "invalid size '-1MiB': negative (expected bytes or e.g. 512KiB, 256MiB, "
                        "1GB)");
  CHECK(why("1XB") == "invalid size '1XB': unknown unit (expected bytes or e.g. 512KiB, 256MiB, "
                      "1GB)");
  CHECK(why("MiB") == "invalid size 'MiB': no number (expected bytes or e.g. 512KiB, 256MiB, "
                      "1GB)");
  CHECK(why("99999999999TiB") == "invalid size '99999999999TiB': too large (expected bytes or "
                                 "e.g. 512KiB, 256MiB, 1GB)");
}

TEST_CASE("URLs in specs are checked without echoing them", "[jobs][url]") {
  // URL parsing itself is tested with the clients; specs only must not echo a URL that may carry
  // a secret.
  CHECK(error_text(parse_url("http://u:p@h", false).error()) ==
        "invalid URL: user information (user@host) is not supported");
  CHECK(error_text(parse_url("ftp://h?sig=secret", false).error()).find("secret") ==
        std::string::npos);
}

TEST_CASE("RFC 3339 times parse to UTC and print back", "[jobs][timestamp]") {
  auto t = parse_rfc3339("2026-01-31T13:00:00.250+01:00");
  REQUIRE(t);
  CHECK(format_rfc3339(*t) == "2026-01-31T12:00:00.250Z");
  CHECK(format_rfc3339(*parse_rfc3339("2026-02-28T23:59:59Z")) == "2026-02-28T23:59:59Z");
  auto why = [](const char* text) { return error_text(parse_rfc3339(text).error()); };
  CHECK(why("2026-02-30T00:00:00Z") == "invalid RFC 3339 time '2026-02-30T00:00:00Z': no such "
                                       "date (expected e.g. 2026-01-31T12:00:00Z)");
  CHECK(why("2026-01-31T12:00:00") == "invalid RFC 3339 time '2026-01-31T12:00:00': malformed "
                                      "(expected e.g. 2026-01-31T12:00:00Z)");
  CHECK(why("2026-01-31T12:00:00+0100") == "invalid RFC 3339 time '2026-01-31T12:00:00+0100': "
                                           "malformed offset (expected e.g. "
                                           "2026-01-31T12:00:00Z)");
  CHECK(why("2026-01-31T25:00:00Z") == "invalid RFC 3339 time '2026-01-31T25:00:00Z': time of "
                                       "day out of range (expected e.g. 2026-01-31T12:00:00Z)");
}

TEST_CASE("secrets print as *** and reveal only on request", "[jobs][secret]") {
  secret s{"hunter2"};
  std::ostringstream os;
  os << s;
  CHECK(os.str() == "***");
  CHECK(to_string(s) == "***");
  CHECK(s.reveal() == "hunter2");
  CHECK(s == secret{"hunter2"});
  CHECK_FALSE(s == secret{"other"});
}

TEST_CASE("diagnostics render as file:line:col: severity: path: message", "[jobs][diagnostic]") {
  diagnostic d{"job.yaml", 3, 7, "sink.path", "missing required key 'path'", severity::error};
  CHECK(render(d) == "job.yaml:3:7: error: sink.path: missing required key 'path'");
  d.path.clear();
  d.level = severity::warning;
  CHECK(render(d) == "job.yaml:3:7: warning: missing required key 'path'");
  CHECK(render(diagnostic{"dir", 0, 0, {}, "cannot read", severity::error}) ==
        "dir: error: cannot read");
}

TEST_CASE("job names are safe file name parts", "[jobs][name]") {
  CHECK(valid_job_name("load-products"));
  CHECK(valid_job_name("a.b_c-1"));
  CHECK_FALSE(valid_job_name(""));
  CHECK_FALSE(valid_job_name("a/b"));
  CHECK_FALSE(valid_job_name(".."));
  CHECK_FALSE(valid_job_name("a..b"));
  CHECK_FALSE(valid_job_name("-a"));
  CHECK_FALSE(valid_job_name(std::string_view{"a\0b", 3}));
  CHECK_FALSE(valid_job_name(std::string(129, 'a')));
}
