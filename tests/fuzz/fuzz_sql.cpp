// The emulator's Cosmos SQL subset: lexer, parser, parameter binding and evaluation over a fixed
// set of documents of every JSON type. Any text gives a query or a 400 message, never a crash.
//
// The input is the query text, then optionally "\n@@\n" and the "parameters" JSON array, then
// optionally "\n@@\n" and a JSON array of more documents to run it over.

#include "clients/error.hpp"
#include "emulator/cosmos/sql/compiled_query.hpp"
#include "emulator/cosmos/sql/lexer.hpp"
#include "tests/fuzz/fuzz_support.hpp"

#include <nlohmann/json.hpp>

using namespace bulkd;
using namespace bulkd::emulator::cosmos;
using nlohmann::json;

namespace {

const std::vector<json>& fixed_documents() {
  static const std::vector<json> docs = [] {
    std::vector<json> out;
    for (
        const char* text : {
            R"({"id":"1","pk":"p1","v":10,"name":"Alice","tags":["a","b"],"nested":{"x":1,"y":{"z":"deep"}},"a b":"space","flag":true})",
            R"({"id":"2","pk":"p1","v":3,"name":"bob","nested":{"x":2},"flag":false,"arr":[{"k":1},{"k":[2,3]}]})",
            R"({"id":"3","pk":"p2","v":3.0,"name":"Carol","score":null,"big":1.7976931348623157e308})",
            R"({"id":"4","pk":"p2","v":"10","name":"dave","neg":-9223372036854775808,"u":18446744073709551615})",
            R"({"id":"5","pk":"p3","name":"\u00c9mile","empty":{},"none":[]})",
            R"({"id":"6","pk":"p3","v":-2.5,"name":"alice","tiny":5e-324})",
        })
      out.push_back(json::parse(text));
    return out;
  }();
  return docs;
}

std::string_view split(std::string_view& text) {
  constexpr std::string_view marker = "\n@@\n";
  auto at = text.find(marker);
  auto head = text.substr(0, at);
  text = at == std::string_view::npos ? std::string_view{} : text.substr(at + marker.size());
  return head;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text{reinterpret_cast<const char*>(data), size};
  auto query = split(text);
  auto params_text = split(text);
  json parameters = nullptr;
  if (!params_text.empty()) {
    parameters = json::parse(params_text, nullptr, false);
    if (parameters.is_discarded())
      return 0;
  }
  auto docs = fixed_documents();
  if (!text.empty()) {
    auto more = json::parse(text, nullptr, false);
    if (more.is_array())
      for (auto& d : more)
        docs.push_back(std::move(d));
  }

  (void)sql::tokenize(query);
  auto compiled = sql::compile(query, parameters);
  if (!compiled) {
    BULKD_FUZZ_CHECK(!render(compiled.error()).empty());
    return 0;
  }
  auto rows = compiled->execute(docs);
  if (compiled->is_aggregate()) {
    BULKD_FUZZ_CHECK(rows.size() == 1);
  } else {
    BULKD_FUZZ_CHECK(rows.size() <= docs.size());
    if (auto take = compiled->take())
      BULKD_FUZZ_CHECK(rows.size() <= *take);
  }
  for (const auto& doc : docs) {
    (void)compiled->counts(doc);
    (void)compiled->order_key(doc);
    BULKD_FUZZ_CHECK(!compiled->sorts_before(doc, doc));
  }
  for (const auto& row : rows)
    (void)row.dump(-1, ' ', false, json::error_handler_t::replace);
  return 0;
}
