#include "tests/daemon/prometheus_parser.hpp"

#include <catch2/catch.hpp>

#include <cmath>

using bulkd::test::parse_prometheus_text;

TEST_CASE("the test parser reads valid exposition text", "[prometheus-parser]") {
  auto parsed = parse_prometheus_text(R"(# HELP a_total A \\ help\nline.
# TYPE a_total counter
a_total{x="1",y="q\"\\\n",} 3 1700000000000
a_total 1e3
# TYPE s summary
s{quantile="0.5"} 1
s_sum 2
s_count 3
# TYPE u untyped
u -Inf
)");
  REQUIRE(parsed.error == "");
  REQUIRE(parsed.doc.families.size() == 3);
  CHECK(parsed.doc.family("a_total")->help == "A \\ help\nline.");
  auto* s = parsed.doc.sample("a_total", {{"y", "q\"\\\n"}, {"x", "1"}});
  REQUIRE(s != nullptr);
  CHECK(s->timestamp == 1700000000000);
  CHECK(parsed.doc.value("a_total") == 1000);
  CHECK(std::isinf(*parsed.doc.value("u")));
}

TEST_CASE("the test parser rejects malformed text with the line and reason",
          "[prometheus-parser]") {
  auto error_of = [](const char* text) { return parse_prometheus_text(text).error; };
  CHECK(error_of("# TYPE a gauge\na 1") == "line 2: the text does not end with a newline");
  CHECK(error_of("# TYPE a gauge\n\na 1\n") == "line 2: empty line");
  CHECK(error_of("# just a comment\n") ==
        "line 1: a comment that is neither '# HELP' nor '# TYPE'");
  CHECK(error_of("a 1\n") == "line 1: sample 'a' has no TYPE line before it");
  CHECK(error_of("# HELP a x\na 1\n") == "line 2: sample 'a' has no TYPE line before it");
  CHECK(error_of("# TYPE a gauge\n# TYPE a gauge\n") == "line 2: second TYPE for 'a'");
  CHECK(error_of("# HELP a x\n# HELP a y\n") == "line 2: second HELP for 'a'");
  CHECK(error_of("# TYPE a gauge\na 1\n# HELP a x\n") == "line 3: HELP for 'a' after its samples");
  CHECK(error_of("# TYPE a gaugey\n") == "line 1: unknown TYPE 'gaugey' for 'a'");
  CHECK(error_of("# TYPE 9a gauge\n") == "line 1: invalid metric name '9a'");
  CHECK(error_of("# HELP a bad \\t\n") == "line 1: invalid escape '\\t' in HELP of 'a'");
  CHECK(error_of("# TYPE a gauge\n# TYPE b gauge\na 1\n") ==
        "line 3: sample 'a' is not in the group of its family 'a'");
  CHECK(error_of("# TYPE a gauge\n# TYPE b gauge\n# TYPE a gauge\n") ==
        "line 3: 'a' declared after its group ended");
  CHECK(error_of("# TYPE a gauge\na{x=\"1\"} 1\na{x=\"1\"} 2\n") ==
        "line 3: duplicate series 'a{x=\"1\"}'");
  CHECK(error_of("# TYPE a gauge\na{x=\"1\",x=\"2\"} 1\n") == "line 2: duplicate label 'x'");
  CHECK(error_of("# TYPE a gauge\na{x=\"\\t\"} 1\n") ==
        "line 2: invalid escape '\\t' in label 'x'");
  CHECK(error_of("# TYPE a gauge\na{x=\"1} 1\n") == "line 2: unterminated value of label 'x'");
  CHECK(error_of("# TYPE a gauge\na{x=1} 1\n") == "line 2: expected =\" after label 'x'");
  CHECK(error_of("# TYPE a gauge\na{__x=\"1\"} 1\n").empty()); // reserved but syntactically valid
  CHECK(error_of("# TYPE a gauge\na{1x=\"1\"} 1\n") == "line 2: invalid label name '1x'");
  CHECK(error_of("# TYPE a gauge\na{x=\"1\" y=\"2\"} 1\n") ==
        "line 2: expected ',' or '}' after label 'x'");
  CHECK(error_of("# TYPE a gauge\na{x=\"1\"\n") == "line 2: unterminated label set");
  CHECK(error_of("# TYPE a gauge\na one\n") == "line 2: invalid value 'one' of 'a'");
  CHECK(error_of("# TYPE a gauge\na\n") == "line 2: expected a space and a value after 'a'");
  CHECK(error_of("# TYPE a gauge\na 1 soon\n") == "line 2: invalid timestamp 'soon' of 'a'");
  CHECK(error_of("# TYPE a counter\na -1\n") == "line 2: counter 'a' is negative");
}

TEST_CASE("the test parser checks histogram structure", "[prometheus-parser]") {
  auto error_of = [](const char* text) { return parse_prometheus_text(text).error; };
  const char* good = "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 2\n"
                     "h_sum 3\nh_count 2\n";
  CHECK(error_of(good).empty());
  CHECK(error_of("# TYPE h histogram\nh_bucket{le=\"1\"} 3\nh_bucket{le=\"+Inf\"} 2\n"
                 "h_sum 3\nh_count 2\n") == "line 0: buckets of 'h' not cumulative at le=\"+Inf\"");
  CHECK(error_of("# TYPE h histogram\nh_bucket{le=\"2\"} 1\nh_bucket{le=\"1\"} 1\n"
                 "h_bucket{le=\"+Inf\"} 1\nh_sum 3\nh_count 1\n") ==
        "line 0: le of 'h' not increasing at le=\"1\"");
  CHECK(error_of("# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_sum 3\nh_count 1\n") ==
        "line 0: histogram 'h' series {} does not end with le=\"+Inf\"");
  CHECK(error_of("# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_sum 3\nh_count 3\n") ==
        "line 0: histogram 'h' series {}: _count differs from the +Inf bucket");
  CHECK(error_of("# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_count 2\n") ==
        "line 0: histogram 'h' series {} has no _sum");
  CHECK(error_of("# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_sum 2\n") ==
        "line 0: histogram 'h' series {} has no _count");
  CHECK(error_of("# TYPE h histogram\nh_bucket 2\n") ==
        "line 0: bucket of 'h' without an le label");
  CHECK(error_of("# TYPE h histogram\nh_bucket{le=\"x\"} 2\n") ==
        "line 0: invalid le=\"x\" in 'h'");
  CHECK(error_of("# TYPE h histogram\nh 2\n") == "line 0: histogram 'h' has a sample 'h'");
  CHECK(error_of("# TYPE h histogram\nh_sum{le=\"1\"} 2\n") ==
        "line 0: 'h_sum' must not have an le label");
  CHECK(error_of("# TYPE h histogram\nh_bucket{a=\"1\",le=\"+Inf\"} 1\nh_sum{a=\"1\"} 1\n"
                 "h_count{a=\"1\"} 1\nh_bucket{a=\"2\",le=\"+Inf\"} 1\nh_sum{a=\"2\"} 1\n") ==
        "line 0: histogram 'h' series {a=1:2,} has no _count");
}
