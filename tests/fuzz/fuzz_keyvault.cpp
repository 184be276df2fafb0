// The Key Vault client's parsers of what a vault answers: key lists (with next links, which must
// never lead a token to another host), keys, deleted keys, backups, purges, errors and
// Retry-After, plus key identifiers and names. The first byte picks the parser; see
// fuzz_support.hpp for the response text format.

#include "clients/error.hpp"
#include "clients/keyvault/key_identifier.hpp"
#include "clients/keyvault/key_requests.hpp"
#include "clients/keyvault/key_responses.hpp"
#include "clients/keyvault/retry_after.hpp"
#include "clients/keyvault/service_error.hpp"
#include "clients/keyvault/vault.hpp"
#include "tests/fuzz/fuzz_support.hpp"

#include <chrono>

using namespace bulkd;
using namespace bulkd::keyvault;
using bulkd::fuzz::response_from;

namespace {

const vault& the_vault() {
  static const vault v = *make_vault("https://myvault.vault.azure.net");
  return v;
}

// A next link is followed only to the vault itself.
void follow(const std::optional<std::string>& next_link) {
  if (!next_link)
    return;
  auto req = next_page(the_vault(), *next_link);
  if (!req) {
    (void)render(req.error());
    return;
  }
  BULKD_FUZZ_CHECK(req->origin == the_vault().base.origin());
  BULKD_FUZZ_CHECK(!req->target.empty() && req->target[0] == '/');
}

template <class T>
void report(const caf::expected<T>& x) {
  if (!x)
    (void)render(x.error());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto [selector, text] = bulkd::fuzz::select(data, size);
  switch (selector % 8) {
  case 0: {
    auto page = parse_key_list(response_from(text));
    report(page);
    if (page)
      follow(page->next_link);
    break;
  }
  case 1: {
    auto page = parse_deleted_key_list(response_from(text));
    report(page);
    if (page)
      follow(page->next_link);
    break;
  }
  case 2:
    report(parse_key(response_from(text)));
    break;
  case 3:
    report(parse_deleted_key(response_from(text)));
    break;
  case 4:
    report(parse_backup(response_from(text)));
    break;
  case 5: {
    auto resp = response_from(text);
    (void)render(check_purged(resp));
    (void)render(to_error(parse_service_error(resp)));
    (void)render(response_error(resp));
    break;
  }
  case 6: {
    auto id = parse_key_identifier(text);
    report(id);
    if (id) {
      BULKD_FUZZ_CHECK(id->collection == "keys" || id->collection == "deletedkeys");
      BULKD_FUZZ_CHECK(!id->name.empty());
    }
    report(make_vault(text));
    if (!check_key_name(text)) {
      // A valid name makes requests whose target stays under /keys/ of the vault.
      auto req = get_key(the_vault(), text);
      BULKD_FUZZ_CHECK(static_cast<bool>(req));
      BULKD_FUZZ_CHECK(req->origin == the_vault().base.origin());
      BULKD_FUZZ_CHECK(req->target.rfind("/keys/", 0) == 0);
      BULKD_FUZZ_CHECK(req->target.find("/../") == std::string::npos);
    }
    break;
  }
  case 7: {
    auto now = std::chrono::system_clock::time_point{std::chrono::seconds{1700000000}};
    (void)parse_retry_after(text, now);
    auto resp = response_from(text);
    (void)server_retry_delay(resp.headers, now);
    auto delay = retry_delay(resp.headers, 3, now);
    BULKD_FUZZ_CHECK(delay.count() >= 0);
    break;
  }
  }
  return 0;
}
