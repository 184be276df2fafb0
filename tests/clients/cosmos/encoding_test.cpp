#include "clients/cosmos/base64.hpp"
#include "clients/cosmos/url_encoding.hpp"
#include "clients/error.hpp"

#include <catch2/catch.hpp>

using namespace bulkd::cosmos;

TEST_CASE("URL encoding matches encodeURIComponent", "[cosmos][encoding]") {
  CHECK(url_encode_component("type=master&ver=1.0&sig=a+b/c=") ==
        "type%3Dmaster%26ver%3D1.0%26sig%3Da%2Bb%2Fc%3D");
  CHECK(url_encode_component("AZaz09-_.!~*'()") == "AZaz09-_.!~*'()");
  CHECK(url_encode_component("a b\xC3\xA9") == "a%20b%C3%A9");
}

TEST_CASE("URL decoding takes either hex case and keeps '+'", "[cosmos][encoding]") {
  CHECK(url_decode("type%3dmaster%26ver%3D1.0") == std::string{"type=master&ver=1.0"});
  CHECK(url_decode("a+b%2Bc") == std::string{"a+b+c"});
  CHECK(url_decode("") == std::string{});
  auto bad = url_decode("%4");
  REQUIRE_FALSE(bad);
  CHECK(bulkd::render(bad.error()) == "parse_error: truncated percent-escape at offset 0");
  auto bad_hex = url_decode("ab%x1");
  REQUIRE_FALSE(bad_hex);
  CHECK(bulkd::render(bad_hex.error()) == "parse_error: invalid percent-escape '%x1' at offset 2");
}

TEST_CASE("base64 round-trips and refuses junk", "[cosmos][encoding]") {
  CHECK(base64_encode("") == "");
  CHECK(base64_encode("f") == "Zg==");
  CHECK(base64_encode("fo") == "Zm8=");
  CHECK(base64_encode("foo") == "Zm9v");
  CHECK(base64_decode("Zg==") == std::vector<uint8_t>{'f'});
  CHECK(base64_decode("Zm8=") == std::vector<uint8_t>{'f', 'o'});
  CHECK(base64_decode("Zm9v") == std::vector<uint8_t>{'f', 'o', 'o'});
  CHECK(base64_decode("") == std::vector<uint8_t>{});
  auto reason = [](std::string_view text) {
    auto bytes = base64_decode(text);
    REQUIRE_FALSE(bytes);
    return bulkd::render(bytes.error());
  };
  CHECK(reason("Zg=") == "parse_error: base64 length 3 is not a multiple of 4");
  CHECK(reason("Z===") == "parse_error: base64 padding '=' in the middle at offset 1");
  CHECK(reason("Zg=a") == "parse_error: invalid base64 character at offset 3");
  CHECK(reason("Zm 9") == "parse_error: invalid base64 character at offset 2");
}
