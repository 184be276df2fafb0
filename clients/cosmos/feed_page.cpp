#include "clients/cosmos/feed_page.hpp"

#include "clients/cosmos/json_body.hpp"
#include "clients/cosmos/response_meta.hpp"
#include "clients/cosmos/session_token.hpp"

#include <simdjson.h>

#include <algorithm>
#include <cstring>
#include <mutex>

namespace bulkd::cosmos {

namespace {

constexpr std::string_view what = "feed page";

bool is_ws(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/// Reads a JSON string starting at body[i] == '"'; returns the index after its closing quote.
size_t skip_string(std::string_view body, size_t i) {
  const char* p = body.data() + i + 1;
  const char* end = body.data() + body.size();
  while (p < end) {
    // Long strings are the bulk of a document: jump to the next quote, then check whether it
    // is escaped (an odd number of backslashes before it).
    auto* quote = static_cast<const char*>(std::memchr(p, '"', static_cast<size_t>(end - p)));
    if (quote == nullptr)
      break;
    size_t backslashes = 0;
    for (auto* q = quote; q > p && q[-1] == '\\'; --q)
      ++backslashes;
    if (backslashes % 2 == 0)
      return static_cast<size_t>(quote - body.data()) + 1;
    p = quote + 1;
  }
  return body.size();
}

/// The value starting at body[i] (not whitespace): its end index, and its text with the
/// whitespace outside strings left out (compact, as the service sends it anyway). Copies runs
/// between whitespace, not single characters.
size_t copy_value(std::string_view body, size_t i, std::string* out) {
  int depth = 0;
  size_t run = i; // start of the text not yet copied
  auto flush = [&](size_t to) {
    if (out != nullptr && to > run)
      out->append(body.data() + run, to - run);
  };
  for (; i < body.size(); ++i) {
    char c = body[i];
    if (c == '"') {
      i = skip_string(body, i) - 1;
      if (depth == 0) {
        flush(i + 1);
        return i + 1;
      }
      continue;
    }
    if (c == '{' || c == '[') {
      ++depth;
    } else if (c == '}' || c == ']') {
      if (depth == 0) {
        flush(i);
        return i; // the end of the enclosing container: a scalar ended before it
      }
      --depth;
      if (depth == 0) {
        flush(i + 1);
        return i + 1;
      }
    } else if (depth == 0 && (c == ',' || is_ws(c))) {
      flush(i);
      return i; // a scalar ended
    } else if (is_ws(c)) {
      flush(i);
      run = i + 1;
    }
  }
  flush(i);
  return i;
}

/// Whether `body` is valid JSON (structure and UTF-8), checked by simdjson at several GB/s; the
/// nlohmann lexer took half of bulkd's CPU per change here. A body simdjson refuses but nlohmann
/// might take (nesting deeper than 1,024) goes to the full parse, which decides.
///
/// One parser for the process, behind a mutex: its buffers grow once to the largest page seen.
/// With a parser per thread each scheduler thread grew its own, and RSS climbed for minutes in
/// the soak. Validating a page takes well under a millisecond, so readers rarely wait.
bool valid_json(std::string_view body) {
  static std::mutex mutex;
  static simdjson::dom::parser parser;
  static std::string padded; // the body and the zero padding simdjson reads past its end
  std::lock_guard guard{mutex};
  padded.assign(body);
  padded.resize(body.size() + simdjson::SIMDJSON_PADDING, '\0');
  simdjson::dom::element root;
  return parser.parse(padded.data(), body.size(), false).get(root) == simdjson::SUCCESS;
}

size_t skip_ws(std::string_view body, size_t i) {
  while (i < body.size() && is_ws(body[i]))
    ++i;
  return i;
}

/// The documents of a page whose body is valid JSON, split out of the raw text without
/// building a DOM (a page of 1,000 documents is parsed once instead of parsed and dumped again).
/// False when the body is anything but the usual shape; the caller then takes the full parse,
/// which names the problem.
bool split_documents(std::string_view body, feed_page& out, std::optional<int64_t>& count) {
  size_t i = skip_ws(body, 0);
  if (i >= body.size() || body[i] != '{')
    return false;
  bool seen_documents = false;
  i = skip_ws(body, i + 1);
  while (i < body.size() && body[i] != '}') {
    if (body[i] != '"')
      return false;
    auto key_end = skip_string(body, i);
    auto key = body.substr(i + 1, key_end - i - 2);
    i = skip_ws(body, key_end);
    if (i >= body.size() || body[i] != ':')
      return false;
    i = skip_ws(body, i + 1);
    if (key == "Documents") {
      if (seen_documents || body[i] != '[')
        return false;
      seen_documents = true;
      i = skip_ws(body, i + 1);
      while (i < body.size() && body[i] != ']') {
        std::string doc;
        i = skip_ws(body, copy_value(body, i, &doc));
        out.documents.push_back(std::move(doc));
        if (i < body.size() && body[i] == ',')
          i = skip_ws(body, i + 1);
      }
      ++i;
    } else if (key == "_count") {
      std::string number;
      i = copy_value(body, i, &number);
      if (number.empty() || number.find_first_not_of("0123456789") != std::string::npos)
        return false;
      count = std::stoll(number);
    } else {
      i = copy_value(body, i, nullptr);
    }
    i = skip_ws(body, i);
    if (i < body.size() && body[i] == ',')
      i = skip_ws(body, i + 1);
  }
  return seen_documents;
}

} // namespace

caf::expected<feed_page> parse_feed_page(const http_response& response) {
  if (response.status != 200 && response.status != 304)
    return detail::bad_body(what, "unexpected HTTP status " + std::to_string(response.status));
  auto meta = parse_response_meta(response);
  if (!meta)
    return meta.error();
  feed_page out;
  out.etag = std::move(meta->etag);
  out.continuation = std::move(meta->continuation);
  out.session_token = std::move(meta->session_token);
  out.request_charge = meta->request_charge;
  out.activity_id = std::move(meta->activity_id);
  if (!out.session_token.empty()) {
    // Multi-range tokens have no single LSN; the lag is then unknown rather than an error.
    if (auto lsn = session_token_lsn(out.session_token))
      out.session_lsn = *lsn;
    else if (out.session_token.find(',') == std::string::npos)
      return lsn.error();
  }
  if (response.status == 304) {
    out.not_modified = true;
    return out;
  }
  if (std::optional<int64_t> count;
      valid_json(response.body) && split_documents(response.body, out, count)) {
    bool usable = !count || *count == static_cast<int64_t>(out.documents.size());
    if (usable && !out.documents.empty() && out.documents.front().front() == '{') {
      auto first = nlohmann::json::parse(out.documents.front(), nullptr, false);
      if (auto lsn = first.find("_lsn"); lsn != first.end()) {
        usable = lsn->is_number_integer(); // else the full parse below names the problem
        if (usable)
          out.first_lsn = lsn->get<int64_t>();
      }
    }
    if (usable)
      return out;
    out.documents.clear();
    out.first_lsn.reset();
  }
  auto json = detail::parse_json_body<nlohmann::ordered_json>(response.body, what);
  if (!json)
    return json.error();
  if (!json->is_object())
    return detail::bad_body(what, "expected a JSON object, got " + detail::json_type(*json));
  auto docs = json->find("Documents");
  if (docs == json->end())
    return detail::bad_body(what, "'Documents' is missing");
  if (!docs->is_array())
    return detail::bad_body(what, detail::wrong_type("Documents", "an array", *docs));
  out.documents.reserve(docs->size());
  size_t index = 0;
  for (const auto& doc : *docs) {
    // Query pages of SELECT VALUE hold any JSON values; change feed pages hold documents.
    if (index == 0 && doc.is_object()) {
      if (auto lsn = doc.find("_lsn"); lsn != doc.end()) {
        if (!lsn->is_number_integer())
          return detail::bad_body(what,
                                  detail::wrong_type("Documents[0]._lsn", "an integer", *lsn));
        out.first_lsn = lsn->get<int64_t>();
      }
    }
    out.documents.push_back(doc.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
    ++index;
  }
  if (auto count = json->find("_count"); count != json->end()) {
    if (!count->is_number_integer())
      return detail::bad_body(what, detail::wrong_type("_count", "an integer", *count));
    if (count->get<int64_t>() != static_cast<int64_t>(out.documents.size()))
      return detail::bad_body(what, "'_count' is " + std::to_string(count->get<int64_t>()) +
                                        " but 'Documents' holds " +
                                        std::to_string(out.documents.size()));
  }
  return out;
}

std::optional<int64_t> estimated_lag(const feed_page& page) {
  if (!page.session_lsn)
    return std::nullopt;
  if (page.documents.empty() || !page.first_lsn)
    return 0;
  auto last_processed = *page.first_lsn - 1;
  if (last_processed < 0)
    return 1;
  return std::max<int64_t>(0, *page.session_lsn - last_processed);
}

} // namespace bulkd::cosmos
