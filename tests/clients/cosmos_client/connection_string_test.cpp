#include "clients/cosmos/connection_string.hpp"
#include "clients/error.hpp"

#include <catch2/catch.hpp>

using namespace bulkd;
using namespace bulkd::cosmos;

namespace {

constexpr auto key =
    "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==";

std::string failure(const std::string& text) {
  auto cs = parse_connection_string(text);
  REQUIRE_FALSE(cs);
  auto message = render(cs.error());
  CHECK(message.find("C2y6yDjf5") == std::string::npos); // never the key
  return message;
}

} // namespace

TEST_CASE("connection strings parse in any order", "[cosmos][client][connection_string]") {
  auto portal = parse_connection_string(
      std::string{"AccountEndpoint=https://acct.documents.azure.com:443/;AccountKey="} + key + ";");
  REQUIRE(portal);
  CHECK(portal->endpoint == "https://acct.documents.azure.com:443/");
  CHECK(portal->key == key);
  auto reversed = parse_connection_string(std::string{" AccountKey = "} + key +
                                          " ; accountendpoint=http://127.0.0.1:8081");
  REQUIRE(reversed);
  CHECK(reversed->endpoint == "http://127.0.0.1:8081");
  CHECK(reversed->key == key);
  auto extra = parse_connection_string(std::string{"AccountEndpoint=https://a:8081/;AccountKey="} +
                                       key + ";DisableServerCertificateValidation=True;;");
  REQUIRE(extra);
  CHECK(extra->endpoint == "https://a:8081/");
}

TEST_CASE("bad connection strings name the problem, not the key",
          "[cosmos][client][connection_string]") {
  auto k = std::string{key};
  CHECK(failure("") == "invalid_argument: invalid connection string: no AccountEndpoint=");
  CHECK(failure("AccountKey=" + k) ==
        "invalid_argument: invalid connection string: no AccountEndpoint=");
  CHECK(failure("AccountEndpoint=https://a/") ==
        "invalid_argument: invalid connection string: no AccountKey=");
  CHECK(failure("AccountEndpoint=https://a/;just text;AccountKey=" + k) ==
        "invalid_argument: invalid connection string: part 2 is not of the form Name=value");
  // A bare key has '=' padding: it reads as an unknown name and is ignored.
  CHECK(failure("AccountEndpoint=https://a/;" + k) ==
        "invalid_argument: invalid connection string: no AccountKey=");
  CHECK(failure("=x;AccountEndpoint=https://a/;AccountKey=" + k) ==
        "invalid_argument: invalid connection string: part 1 is not of the form Name=value");
  CHECK(failure("AccountEndpoint=;AccountKey=" + k) ==
        "invalid_argument: invalid connection string: AccountEndpoint is empty");
  CHECK(failure("AccountEndpoint=https://a/;AccountKey=") ==
        "invalid_argument: invalid connection string: AccountKey is empty");
  CHECK(failure("AccountEndpoint=https://a/;AccountEndpoint=https://b/;AccountKey=" + k) ==
        "invalid_argument: invalid connection string: AccountEndpoint appears twice");
  CHECK(failure("AccountEndpoint=https://a/;AccountKey=" + k + ";AccountKey=" + k) ==
        "invalid_argument: invalid connection string: AccountKey appears twice");
  CHECK(failure("AccountEndpoint=https://a/;AccountKey=" + k.substr(0, 20) + "!!") ==
        "invalid_argument: invalid connection string: AccountKey is not valid base64");
  auto scheme = failure("AccountEndpoint=ftp://a/;AccountKey=" + k);
  CHECK(scheme.rfind("invalid_argument: invalid connection string: AccountEndpoint is not an "
                     "http(s) URL without path: ",
                     0) == 0);
  CHECK(scheme.find("unsupported scheme") != std::string::npos);
  auto path = failure("AccountEndpoint=https://a/dbs/x;AccountKey=" + k);
  CHECK(path.rfind("invalid_argument: invalid connection string: AccountEndpoint is not an "
                   "http(s) URL without path: ",
                   0) == 0);
}
