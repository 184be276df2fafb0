// The emulator's partial document update: the PATCH body ({"operations":[...],"condition":...}
// or a bare array) and applying its operations to a document. Any body gives a patched document
// or a 400 message, never a crash; a patched document is still an object that can be stored.
//
// The input is the body, then optionally "\n@@\n" and the document to patch (a fixed one with
// nested objects and arrays otherwise).

#include "clients/error.hpp"
#include "emulator/cosmos/patch.hpp"
#include "tests/fuzz/fuzz_support.hpp"

#include <nlohmann/json.hpp>

using namespace bulkd;
using namespace bulkd::emulator::cosmos;
using nlohmann::json;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text{reinterpret_cast<const char*>(data), size};
  constexpr std::string_view marker = "\n@@\n";
  auto at = text.find(marker);
  auto body_text = text.substr(0, at);
  json doc = json::parse(R"({"id":"1","pk":"p","n":1,"f":2.5,"s":"x","a":[1,[2,3],{"b":4}],
                            "o":{"p":{"q":null},"~/":true},"big":9223372036854775807})");
  if (at != std::string_view::npos) {
    doc = json::parse(text.substr(at + marker.size()), nullptr, false);
    if (doc.is_discarded())
      return 0;
  }
  auto body = json::parse(body_text, nullptr, false);
  if (body.is_discarded())
    return 0;
  auto req = parse_patch_request(body);
  if (!req) {
    BULKD_FUZZ_CHECK(!render(req.error()).empty());
    return 0;
  }
  BULKD_FUZZ_CHECK(req->operations.is_array());
  BULKD_FUZZ_CHECK(req->operations.size() <= max_patch_operations);
  auto patched = apply_patch(doc, req->operations);
  if (!patched) {
    BULKD_FUZZ_CHECK(!render(patched.error()).empty());
    return 0;
  }
  if (doc.is_object())
    BULKD_FUZZ_CHECK(patched->is_object());
  (void)patched->dump();
  return 0;
}
