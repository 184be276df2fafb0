#include "clients/base64url.hpp"
#include "clients/error.hpp"

#include <catch2/catch.hpp>

using bulkd::base64url_decode;
using bulkd::base64url_encode;

TEST_CASE("base64url encodes the RFC 4648 test vectors without padding", "[base64url]") {
  // RFC 4648 §10 vectors, with the padding removed as base64url in JOSE requires.
  CHECK(base64url_encode("") == "");
  CHECK(base64url_encode("f") == "Zg");
  CHECK(base64url_encode("fo") == "Zm8");
  CHECK(base64url_encode("foo") == "Zm9v");
  CHECK(base64url_encode("foob") == "Zm9vYg");
  CHECK(base64url_encode("fooba") == "Zm9vYmE");
  CHECK(base64url_encode("foobar") == "Zm9vYmFy");
  // The two characters that differ from standard base64: 0xfb 0xff -> "-_8" (base64 "+/8=").
  CHECK(base64url_encode(std::string{"\xfb\xff", 2}) == "-_8");
  // RFC 7515 appendix C example.
  CHECK(base64url_encode(std::string{"\x03\xec\xff\xf0", 4}) == "A-z_8A");
}

TEST_CASE("base64url decodes the RFC 4648 test vectors", "[base64url]") {
  for (std::string plain : {"", "f", "fo", "foo", "foob", "fooba", "foobar"}) {
    auto decoded = base64url_decode(base64url_encode(plain));
    REQUIRE(decoded);
    CHECK(*decoded == plain);
  }
  auto bytes = base64url_decode("A-z_8A");
  REQUIRE(bytes);
  CHECK(*bytes == std::string{"\x03\xec\xff\xf0", 4});
  std::string all;
  for (int i = 0; i < 256; ++i)
    all += static_cast<char>(i);
  auto round = base64url_decode(base64url_encode(all));
  REQUIRE(round);
  CHECK(*round == all);
}

TEST_CASE("base64url rejects invalid input with a clear message", "[base64url]") {
  auto message = [](std::string_view text) {
    auto r = base64url_decode(text);
    REQUIRE_FALSE(r);
    return bulkd::render(r.error());
  };
  CHECK(message("Zm9v+g") == "parse_error: invalid base64url: '+' at offset 4");
  CHECK(message("Zm9v/g") == "parse_error: invalid base64url: '/' at offset 4");
  CHECK(message("Zg==") == "parse_error: invalid base64url: padding '=' at offset 2 (base64url "
                           "has no padding)");
  CHECK(message("Zm9v Yg") == "parse_error: invalid base64url: byte 0x20 at offset 4");
  CHECK(message("Zm9v\nYg") == "parse_error: invalid base64url: byte 0x0a at offset 4");
  CHECK(message("Zm9vY") == "parse_error: invalid base64url: length 5 leaves a single trailing "
                            "character");
  // "Zh" would decode to 'f' too if the unused low bits were ignored.
  CHECK(message("Zh") == "parse_error: invalid base64url: the last character has non-zero unused "
                         "bits");
  CHECK(message("Zm9") == "parse_error: invalid base64url: the last character has non-zero "
                          "unused bits");
}
