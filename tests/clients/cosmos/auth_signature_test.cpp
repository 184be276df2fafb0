#include "clients/cosmos/auth_signature.hpp"
#include "clients/cosmos/resource_path.hpp"
#include "clients/error.hpp"

#include <catch2/catch.hpp>

#include <string>

using namespace bulkd::cosmos;

namespace {

// The public emulator key and date of the reference's vectors (cosmos-wire.md §1.6).
constexpr auto emulator_key =
    "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==";
constexpr auto vector_date = "Mon, 15 Jan 2024 10:30:00 GMT";

struct signature_vector {
  const char* verb;
  const char* path; // the request the row stands for
  const char* type;
  const char* link;
  const char* authorization;
};

const signature_vector signature_vectors[] = {
    {"GET", "/", "", "",
     "type%3Dmaster%26ver%3D1.0%26sig%3D8n6%2FLzwaqtWidTUnEezPDTA6j53PohoniyuOIrNa4%2FU%3D"},
    {"GET", "/dbs/db1", "dbs", "dbs/db1",
     "type%3Dmaster%26ver%3D1.0%26sig%3Dl9b410SEvfoRm%2BcjsDvki8roT%2B%2BnxaVHq6DBRjZrnmM%3D"},
    {"POST", "/dbs", "dbs", "",
     "type%3Dmaster%26ver%3D1.0%26sig%3DBXvr0TBO%2BxONX0QyqV9IB7%2B2%2BCxb6qKI6vHUWY2I7hs%3D"},
    {"POST", "/dbs/db1/colls", "colls", "dbs/db1",
     "type%3Dmaster%26ver%3D1.0%26sig%3DQL2Kh%2Bie3h3qQhCt%2FDFiEw8E4oSdSqcqe2vQ9L3dHOo%3D"},
    {"GET", "/dbs/db1/colls/c1/docs/doc1", "docs", "dbs/db1/colls/c1/docs/doc1",
     "type%3Dmaster%26ver%3D1.0%26sig%3DVMlzRbkNCGPRaMe0GcI%2FZ8k5xG%2Bnse6kKrVn%2FLf98LM%3D"},
    {"POST", "/dbs/db1/colls/c1/docs", "docs", "dbs/db1/colls/c1",
     "type%3Dmaster%26ver%3D1.0%26sig%3DKIjhQ21gsbNILvTLN1xT%2F2xftL3lpDPsknCOSwap4UI%3D"},
    {"GET", "/dbs/db1/colls/c1/pkranges", "pkranges", "dbs/db1/colls/c1",
     "type%3Dmaster%26ver%3D1.0%26sig%3D7hSD7%2Bk2SYsPGuqBSZ8%2FFJl90%2B5DYIGgz%2BKyJtmOwkg%3D"},
};

master_key emulator_master_key() {
  auto key = parse_master_key(emulator_key);
  REQUIRE(key);
  return *key;
}

std::string lowercase_hex_escapes(std::string text) {
  for (size_t i = 0; i + 2 < text.size(); ++i)
    if (text[i] == '%') {
      text[i + 1] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[i + 1])));
      text[i + 2] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[i + 2])));
    }
  return text;
}

} // namespace

TEST_CASE("string-to-sign follows the reference", "[cosmos][auth]") {
  CHECK(string_to_sign("GET", "", "", vector_date) == "get\n\n\nmon, 15 jan 2024 10:30:00 gmt\n\n");
  CHECK(string_to_sign("GET", "docs", "dbs/db1/colls/c1/docs/doc1", vector_date) ==
        "get\ndocs\ndbs/db1/colls/c1/docs/doc1\nmon, 15 jan 2024 10:30:00 gmt\n\n");
  CHECK(string_to_sign("POST", "docs", "dbs/db1/colls/c1", vector_date) ==
        "post\ndocs\ndbs/db1/colls/c1\nmon, 15 jan 2024 10:30:00 gmt\n\n");
  // The link keeps its case; verb, type and date do not.
  CHECK(string_to_sign("Put", "DOCS", "dbs/DB/colls/C/docs/Id", "MON, 15 JAN 2024 10:30:00 GMT") ==
        "put\ndocs\ndbs/DB/colls/C/docs/Id\nmon, 15 jan 2024 10:30:00 gmt\n\n");
}

TEST_CASE("every signature vector of the reference", "[cosmos][auth][vectors]") {
  auto key = emulator_master_key();
  size_t passed = 0;
  for (const auto& v : signature_vectors) {
    INFO(v.verb << " " << v.path);
    // The request path gives the type and link the vector was signed with.
    auto address = parse_resource_path(v.path);
    REQUIRE(address);
    CHECK(address->resource_type == v.type);
    CHECK(address->resource_link == v.link);
    auto header = master_authorization(key, v.verb, address->resource_type, address->resource_link,
                                       vector_date);
    CHECK(header == v.authorization);
    // A server accepts it as JS (uppercase hex) and .NET (lowercase hex) send it.
    CHECK_FALSE(
        verify_master_authorization(v.authorization, key, v.verb, v.type, v.link, vector_date));
    CHECK_FALSE(verify_master_authorization(lowercase_hex_escapes(v.authorization), key, v.verb,
                                            v.type, v.link, vector_date));
    if (header == v.authorization)
      ++passed;
  }
  CHECK(passed == 7);
}

TEST_CASE("a server refuses signatures that do not match", "[cosmos][auth]") {
  auto key = emulator_master_key();
  const auto& v = signature_vectors[4]; // GET docs doc1
  auto err =
      verify_master_authorization(v.authorization, key, "DELETE", v.type, v.link, vector_date);
  REQUIRE(err);
  CHECK(bulkd::render(err) ==
        "unauthorized: the signature does not match; the payload to sign was "
        "'delete\\ndocs\\ndbs/db1/colls/c1/docs/doc1\\nmon, 15 jan 2024 10:30:00 gmt\\n\\n'");
  CHECK(verify_master_authorization(v.authorization, key, v.verb, v.type, "dbs/db1/colls/c1/docs/x",
                                    vector_date));
  CHECK(verify_master_authorization(v.authorization, key, v.verb, v.type, v.link,
                                    "Mon, 15 Jan 2024 10:30:01 GMT"));
  auto other_key = parse_master_key("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
  REQUIRE(other_key);
  CHECK(verify_master_authorization(v.authorization, *other_key, v.verb, v.type, v.link,
                                    vector_date));
  CHECK(bulkd::render(
            verify_master_authorization(v.authorization, key, v.verb, v.type, v.link, "")) ==
        "unauthorized: the request has neither an x-ms-date nor a date header");
}

TEST_CASE("without x-ms-date the date header is signed in the last line", "[cosmos][auth]") {
  CHECK(string_to_sign("GET", "dbs", "dbs/db1", "", vector_date) ==
        "get\ndbs\ndbs/db1\n\nmon, 15 jan 2024 10:30:00 gmt\n");
  // x-ms-date wins when both are present.
  CHECK(string_to_sign("GET", "dbs", "dbs/db1", vector_date, "Tue, 16 Jan 2024 10:30:00 GMT") ==
        "get\ndbs\ndbs/db1\nmon, 15 jan 2024 10:30:00 gmt\n\n");
  auto key = emulator_master_key();
  auto header = master_authorization(key, "GET", "dbs", "dbs/db1", "");
  CHECK(verify_master_authorization(header, key, "GET", "dbs", "dbs/db1", "", vector_date));
  auto sig = compute_signature(key, string_to_sign("GET", "dbs", "dbs/db1", "", vector_date));
  CHECK_FALSE(verify_master_authorization("type=master&ver=1.0&sig=" + sig, key, "GET", "dbs",
                                          "dbs/db1", "", vector_date));
}

TEST_CASE("a server accepts the raw, unencoded form", "[cosmos][auth]") {
  auto key = emulator_master_key();
  auto sig = compute_signature(key, string_to_sign("GET", "dbs", "dbs/db1", vector_date));
  auto raw = "type=master&ver=1.0&sig=" + sig;
  CHECK_FALSE(verify_master_authorization(raw, key, "GET", "dbs", "dbs/db1", vector_date));
}

TEST_CASE("parse_authorization splits type, ver and sig", "[cosmos][auth]") {
  auto token = parse_authorization(signature_vectors[0].authorization);
  REQUIRE(token);
  CHECK(token->type == token_type::master);
  CHECK(token->version == "1.0");
  CHECK(token->signature == "8n6/LzwaqtWidTUnEezPDTA6j53PohoniyuOIrNa4/U=");
  // The signature ends at the first ','.
  auto with_comma = parse_authorization("type=master&ver=1.0&sig=abc=,extra");
  REQUIRE(with_comma);
  CHECK(with_comma->signature == "abc=");
  // Resource tokens keep their ';'-separated signature.
  auto resource = parse_authorization("type%3Dresource%26ver%3D1%26sig%3Dm32%2Fab%3D%3D%3Bv0kQ%3B");
  REQUIRE(resource);
  CHECK(resource->type == token_type::resource);
  CHECK(resource->version == "1");
  CHECK(resource->signature == "m32/ab==;v0kQ;");
  // JS sends AAD tokens without URL-encoding.
  auto aad = parse_authorization("type=aad&ver=1.0&sig=eyJhbGciOiJSUzI1NiJ9.eyJ9.c2ln");
  REQUIRE(aad);
  CHECK(aad->type == token_type::aad);
  CHECK(aad->signature == "eyJhbGciOiJSUzI1NiJ9.eyJ9.c2ln");
}

TEST_CASE("AAD and resource tokens get their own 401 message", "[cosmos][auth]") {
  auto key = emulator_master_key();
  CHECK(bulkd::render(verify_master_authorization("type%3Daad%26ver%3D1.0%26sig%3DeyJ0eXAi", key,
                                                  "GET", "", "", vector_date)) ==
        "unauthorized: Microsoft Entra ID tokens (type=aad) are not accepted; sign requests "
        "with the account key (type=master)");
  CHECK(bulkd::render(verify_master_authorization("type=resource&ver=1&sig=abc;def;", key, "GET",
                                                  "", "", vector_date)) ==
        "unauthorized: resource tokens (type=resource) are not accepted; sign requests with "
        "the account key (type=master)");
}

TEST_CASE("malformed Authorization headers are refused with a reason", "[cosmos][auth]") {
  auto key = emulator_master_key();
  auto reason = [&](std::string_view header) {
    auto err = verify_master_authorization(header, key, "GET", "", "", vector_date);
    REQUIRE(err);
    CHECK(err.code() == static_cast<uint8_t>(bulkd::ec::unauthorized));
    return bulkd::render(err);
  };
  CHECK(reason("") == "unauthorized: the Authorization header is empty");
  CHECK(reason("type%3Dmaster%26ver%3D1.0") == "unauthorized: malformed Authorization "
                                               "header: no sig");
  CHECK(reason("type=master&ver=1.0&sig=") == "unauthorized: malformed Authorization "
                                              "header: no sig");
  CHECK(reason("type=master&sig=abc") == "unauthorized: malformed Authorization "
                                         "header: no ver");
  CHECK(reason("ver=1.0&sig=abc") == "unauthorized: malformed Authorization header: "
                                     "no type");
  CHECK(reason("type=master&version&sig=abc") == "unauthorized: malformed "
                                                 "Authorization header: part 'version' has no '='");
  CHECK(reason("type=basic&ver=1.0&sig=abc") == "unauthorized: unsupported "
                                                "Authorization type 'basic' (expected master, "
                                                "resource or aad)");
  CHECK(reason("type=master&ver=2.0&sig=abc") == "unauthorized: unsupported master token version "
                                                 "'2.0' (expected 1.0)");
  CHECK(reason("type%3Dmaster%26ver%3D1.0%26sig%3Dabc%3") == "unauthorized: the "
                                                             "Authorization header is not "
                                                             "URL-encoded correctly: "
                                                             "truncated percent-escape at offset "
                                                             "37");
  CHECK(reason("type%3Dmaster%26ver%3D1.0%26sig%3Dabc%zz") == "unauthorized: the "
                                                              "Authorization header is not "
                                                              "URL-encoded correctly: "
                                                              "invalid percent-escape '%zz' at "
                                                              "offset 37");
  CHECK(reason("type=master&ver=1.0&sig=" + std::string(1100, 'A')) ==
        "unauthorized: the Authorization header has 1124 bytes; master tokens may "
        "have at most 1024");
}

TEST_CASE("bad account keys are refused", "[cosmos][auth]") {
  auto render = [](std::string_view key) {
    auto parsed = parse_master_key(key);
    REQUIRE_FALSE(parsed);
    return bulkd::render(parsed.error());
  };
  CHECK(render("") == "invalid_argument: the account key is empty");
  CHECK(render("abc") == "invalid_argument: the account key is not valid base64: "
                         "base64 length 3 is not a multiple of 4");
  CHECK(render("ab!d") == "invalid_argument: the account key is not valid base64: "
                          "invalid base64 character at offset 2");
  CHECK(render("a=bc") == "invalid_argument: the account key is not valid base64: "
                          "base64 padding '=' in the middle at offset 1");
}

TEST_CASE("request dates must be within the service's window", "[cosmos][auth]") {
  using namespace std::chrono;
  auto now = parse_http_date(vector_date);
  REQUIRE(now);
  CHECK_FALSE(check_request_time(*now, *now));
  CHECK_FALSE(check_request_time(*now - minutes{30}, *now));
  CHECK_FALSE(check_request_time(*now + minutes{15}, *now));
  CHECK(bulkd::render(check_request_time(*now - minutes{30} - seconds{1}, *now)) ==
        "unauthorized: the request date Mon, 15 Jan 2024 09:59:59 GMT is too old (server time "
        "Mon, 15 Jan 2024 10:30:00 GMT)");
  CHECK(bulkd::render(check_request_time(*now + minutes{15} + seconds{1}, *now)) ==
        "unauthorized: the request date Mon, 15 Jan 2024 10:45:01 GMT is in the future (server "
        "time Mon, 15 Jan 2024 10:30:00 GMT)");
}
