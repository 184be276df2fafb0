// The daemon config (bulkd.yaml) and job file loaders: any YAML must give a value or diagnostics,
// never a crash or an exception; and what loads must survive print -> load unchanged (the
// printer's promise, spec_printer.hpp). The first byte picks: 0 daemon config, 1 job file without
// a config, 2 job file checked against a config with account and vault `main`.

#include "jobs/spec_loader.hpp"
#include "jobs/spec_printer.hpp"
#include "tests/fuzz/fuzz_support.hpp"

#include <map>

using namespace bulkd;

namespace {

expansion_context fuzz_context() {
  expansion_context ctx;
  ctx.env = [](const std::string& name) -> std::optional<std::string> {
    static const std::map<std::string, std::string> env{
        {"KEY", "a2V5"}, {"TOKEN", "tok $${x} ${y}"}, {"EMPTY", ""}};
    if (auto it = env.find(name); it != env.end())
      return it->second;
    return std::nullopt;
  };
  // No credentials directory and no deferring: `bulkd validate`'s deferred mode leaves values
  // that depend on a credential unset, so loading its printout cannot give the same value.
  return ctx;
}

const daemon_config& reference_config() {
  static const daemon_config config = *parse_daemon_config(R"(
accounts:
  main: { endpoint: "https://a.documents.azure.com", key: "a2V5" }
vaults:
  main: { url: "https://v.vault.azure.net" }
)",
                                                           "ref.yaml", fuzz_context())
                                           .value;
  return config;
}

// The round trip is checked for text a person would write: valid UTF-8 without control
// characters. (Others do not survive print -> load: see the report of issue 9.)
bool printable_utf8(std::string_view text) {
  for (size_t i = 0; i < text.size();) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f)
        return false;
      ++i;
      continue;
    }
    size_t n = c >= 0xf5 ? 0 : c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc2 ? 1 : 0;
    if (n == 0 || i + n >= text.size())
      return false;
    for (size_t k = 1; k <= n; ++k)
      if ((static_cast<unsigned char>(text[i + k]) & 0xc0) != 0x80)
        return false;
    i += n + 1;
  }
  return true;
}

void check_diagnostics(const diagnostics& diags) {
  for (const auto& d : diags)
    (void)render(d);
}

void config(std::string_view yaml, const expansion_context& ctx) {
  auto first = parse_daemon_config(yaml, "fuzz.yaml", ctx);
  check_diagnostics(first.diags);
  if (!first.ok() || !printable_utf8(yaml))
    return;
  auto printed = print_daemon_config(*first.value, {.reveal_secrets = true});
  auto second = parse_daemon_config(printed, "fuzz.yaml", ctx);
  if (!second.ok() || !(*second.value == *first.value)) {
    std::fprintf(stderr, "printed config does not load as the same value:\n%s\n", printed.c_str());
    for (const auto& d : second.diags)
      std::fprintf(stderr, "  %s\n", render(d).c_str());
    std::abort();
  }
  (void)print_daemon_config(*first.value);
}

void jobs(std::string_view yaml, const daemon_config* cfg, const expansion_context& ctx) {
  auto first = parse_job_file(yaml, "fuzz.yaml", cfg, ctx);
  check_diagnostics(first.diags);
  if (!first.ok())
    return;
  for (const auto& job : *first.value) {
    (void)parsed_schedule(job);
    (void)print_job(job);
  }
  if (!printable_utf8(yaml))
    return;
  auto printed = print_jobs(*first.value, {.reveal_secrets = true});
  auto second = parse_job_file(printed, "fuzz.yaml", cfg, ctx);
  if (!second.ok() || !(*second.value == *first.value)) {
    std::fprintf(stderr, "printed jobs do not load as the same value:\n%s\n", printed.c_str());
    for (const auto& d : second.diags)
      std::fprintf(stderr, "  %s\n", render(d).c_str());
    std::abort();
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const expansion_context ctx = fuzz_context();
  auto [selector, yaml] = bulkd::fuzz::select(data, size);
  switch (selector % 3) {
  case 0:
    config(yaml, ctx);
    break;
  case 1:
    jobs(yaml, nullptr, ctx);
    break;
  case 2:
    jobs(yaml, &reference_config(), ctx);
    break;
  }
  return 0;
}
