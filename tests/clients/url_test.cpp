#include "clients/error.hpp"
#include "clients/url.hpp"

#include <catch2/catch.hpp>

using bulkd::parse_origin;
using bulkd::parse_url;

namespace {

std::string error_of(std::string_view text, bool origin = false) {
  auto res = origin ? parse_origin(text) : parse_url(text);
  REQUIRE(!res);
  CHECK(res.error().code() == static_cast<uint8_t>(bulkd::ec::invalid_argument));
  return bulkd::render(res.error());
}

} // namespace

TEST_CASE("parse_url splits scheme, host, port and target") {
  auto u = parse_url("https://Acct.Documents.Azure.com:443/dbs/shop/colls?x=1#frag");
  REQUIRE(u);
  CHECK(u->scheme == "https");
  CHECK(u->host == "acct.documents.azure.com");
  CHECK(u->port == 443);
  CHECK(u->target == "/dbs/shop/colls?x=1");
  CHECK(u->origin() == "https://acct.documents.azure.com:443");
  CHECK(u->host_port() == "acct.documents.azure.com:443");
}

TEST_CASE("parse_url fills in default ports and the root target") {
  auto plain = parse_url("HTTP://localhost");
  REQUIRE(plain);
  CHECK(plain->scheme == "http");
  CHECK(plain->port == 80);
  CHECK(plain->target == "/");
  auto tls = parse_url("https://vault.example?api-version=7.4");
  REQUIRE(tls);
  CHECK(tls->port == 443);
  CHECK(tls->target == "/?api-version=7.4");
}

TEST_CASE("parse_url accepts bracketed IPv6 hosts") {
  auto u = parse_url("http://[::1]:8081/x");
  REQUIRE(u);
  CHECK(u->host == "::1");
  CHECK(u->port == 8081);
  CHECK(u->origin() == "http://[::1]:8081");
}

TEST_CASE("parse_url rejects malformed URLs with a message") {
  CHECK(error_of("") == "invalid_argument: invalid URL \"\": empty");
  CHECK(error_of("localhost:8081/x") ==
        "invalid_argument: invalid URL \"localhost:8081/x\": missing scheme (expected http:// "
        "or https://)");
  CHECK(error_of("ftp://host/x") ==
        "invalid_argument: invalid URL \"ftp://host/x\": unsupported scheme \"ftp\" (expected "
        "http or https)");
  CHECK(error_of("https:///path") ==
        "invalid_argument: invalid URL \"https:///path\": missing host");
  CHECK(error_of("https://:443") == "invalid_argument: invalid URL \"https://:443\": missing host");
  CHECK(error_of("http://host:") == "invalid_argument: invalid URL \"http://host:\": empty port");
  CHECK(error_of("http://host:0") ==
        "invalid_argument: invalid URL \"http://host:0\": invalid port \"0\" (expected 1-65535)");
  CHECK(error_of("http://host:65536/") ==
        "invalid_argument: invalid URL \"http://host:65536/\": invalid port \"65536\" (expected "
        "1-65535)");
  CHECK(error_of("http://host:8o") ==
        "invalid_argument: invalid URL \"http://host:8o\": invalid port \"8o\" (expected "
        "1-65535)");
  CHECK(error_of("http://host:1:2") ==
        "invalid_argument: invalid URL \"http://host:1:2\": invalid port \"1:2\" (expected "
        "1-65535)");
  CHECK(error_of("http://user:pw@host/") ==
        "invalid_argument: invalid URL \"http://user:pw@host/\": user information (user@host) "
        "is not supported");
  CHECK(error_of("http://[::1/") ==
        "invalid_argument: invalid URL \"http://[::1/\": unterminated IPv6 address (missing "
        "']')");
  CHECK(error_of("http://[::1]x/") ==
        "invalid_argument: invalid URL \"http://[::1]x/\": unexpected characters after the "
        "IPv6 address");
  CHECK(error_of("http://[zz]/") ==
        "invalid_argument: invalid URL \"http://[zz]/\": invalid IPv6 address \"zz\"");
  CHECK(error_of("http://ho$t/") ==
        "invalid_argument: invalid URL \"http://ho$t/\": invalid character '$' in host");
  CHECK(error_of("http://host/a b") ==
        "invalid_argument: invalid URL \"http://host/a b\": contains a space or control "
        "character (percent-encode it)");
}

TEST_CASE("parse_origin accepts a bare origin and rejects paths") {
  auto o = parse_origin("https://acct.documents.azure.com:443/");
  REQUIRE(o);
  CHECK(o->origin() == "https://acct.documents.azure.com:443");
  CHECK(parse_origin("http://127.0.0.1:8081"));
  CHECK(error_of("http://127.0.0.1:8081/dbs", true) ==
        "invalid_argument: invalid URL \"http://127.0.0.1:8081/dbs\": an origin has no path, "
        "query or fragment (expected scheme://host[:port])");
  CHECK(error_of("http://127.0.0.1?x=1", true) ==
        "invalid_argument: invalid URL \"http://127.0.0.1?x=1\": an origin has no path, query "
        "or fragment (expected scheme://host[:port])");
  CHECK(error_of("127.0.0.1:8081", true) ==
        "invalid_argument: invalid URL \"127.0.0.1:8081\": missing scheme (expected http:// or "
        "https://)");
}
