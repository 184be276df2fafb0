// Damaged inputs never crash the loader and never load half: every prefix of the examples, and
// every byte of them replaced by YAML punctuation, gives either a value or errors.

#include "jobs/spec_loader.hpp"
#include "tests/jobs/spec_test_support.hpp"

#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

using namespace bulkd;

namespace {

std::string slurp(const std::string& path) {
  std::ifstream in{path};
  std::ostringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

void check_consistent(const std::string& text, bool config) {
  auto ctx = test::fake_context();
  ctx.defer_missing_credentials = true;
  bool ok;
  diagnostics ds;
  if (config) {
    auto r = parse_daemon_config(text, "x.yaml", ctx);
    ok = r.ok();
    ds = r.diags;
  } else {
    auto r = parse_job_file(text, "x.yaml", nullptr, ctx);
    ok = r.ok();
    ds = r.diags;
    if (ok)
      REQUIRE_FALSE(r.value->empty());
  }
  // A value iff no error; every error carries a message.
  REQUIRE(ok == !has_errors(ds));
  for (auto& d : ds)
    REQUIRE_FALSE(d.message.empty());
}

} // namespace

TEST_CASE("truncated and damaged examples give a value or errors, never a crash",
          "[jobs][robustness]") {
  std::string root = BULKD_SOURCE_DIR;
  for (auto [file, config] :
       {std::pair{"/config/bulkd.yaml", true}, std::pair{"/config/dev/bulkd.yaml", true},
        std::pair{"/config/jobs.d/load-products.yaml", false},
        std::pair{"/config/jobs.d/orders-feed.yaml", false},
        std::pair{"/config/jobs.d/nightly-keys.yaml", false}}) {
    auto text = slurp(root + file);
    REQUIRE(text.size() > 100);
    INFO(file);
    for (size_t n = 0; n <= text.size(); ++n)
      check_consistent(text.substr(0, n), config);
    for (size_t i = 0; i < text.size(); ++i)
      for (char c : {'{', ':', '-', '[', '"', '\t'}) {
        auto damaged = text;
        damaged[i] = c;
        check_consistent(damaged, config);
      }
  }
}
