#include "jobs/change_feed/http_sink_policy.hpp"

#include "clients/error.hpp"
#include "clients/keyvault/retry_after.hpp"
#include "clients/url.hpp"
#include "jobs/error_text.hpp"

#include <algorithm>

namespace bulkd {

namespace {

bool reserved_header(std::string_view name) {
  for (auto r : {"content-type", "content-length", "transfer-encoding", "host", "connection"})
    if (iequals(name, r))
      return true;
  return name.size() >= 8 && iequals(name.substr(0, 8), "x-bulkd-");
}

std::string header_safe(std::string_view text) {
  std::string out{text};
  std::replace_if(
      out.begin(), out.end(), [](char c) { return c == '\r' || c == '\n' || c == '\0'; }, ' ');
  return out;
}

bool is_error(const caf::error& err, ec code) {
  return err.category() == error_category() && err.code() == static_cast<uint8_t>(code);
}

// Removes an incomplete UTF-8 sequence at the end of a cut text.
void drop_partial_utf8(std::string& text) {
  size_t back = 0;
  while (back < text.size() && back < 4) {
    auto c = static_cast<unsigned char>(text[text.size() - 1 - back]);
    if ((c & 0xC0) != 0x80) {
      size_t need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
      if (need > back + 1)
        text.resize(text.size() - 1 - back);
      return;
    }
    ++back;
  }
}

} // namespace

const char* to_string(sink_verdict v) {
  switch (v) {
  case sink_verdict::ack:
    return "ack";
  case sink_verdict::retry:
    return "retry";
  case sink_verdict::fail:
    return "fail";
  }
  return "fail";
}

caf::expected<http_request> http_sink_request_template(const http_sink& spec) {
  // The url is not quoted in errors: a query may carry a token.
  auto parsed = parse_url(spec.url, false);
  if (!parsed)
    return make_error(ec::invalid_argument, "http sink url: " + error_text(parsed.error()));
  http_request req;
  req.method = "POST";
  req.origin = parsed->origin();
  req.target = parsed->target;
  req.timeout = spec.timeout;
  req.headers.set("Content-Type", "application/json");
  for (auto& [name, value] : spec.headers) {
    if (reserved_header(name))
      return make_error(ec::invalid_argument,
                        "http sink header '" + name + "' is set by bulkd and cannot be configured");
    auto& v = value.reveal();
    if (v.find_first_of(std::string_view{"\r\n\0", 3}) != std::string::npos)
      return make_error(ec::invalid_argument,
                        "http sink header '" + name + "' has a line break or NUL in its value");
    req.headers.add(name, v);
  }
  return req;
}

http_request http_sink_request(const http_request& tmpl, const change_batch& batch) {
  http_request req = tmpl;
  size_t size = 2;
  for (auto& doc : batch.documents)
    size += doc.size() + 1;
  req.body.reserve(size);
  req.body += '[';
  for (size_t i = 0; i < batch.documents.size(); ++i) {
    if (i > 0)
      req.body += ',';
    req.body += batch.documents[i];
  }
  req.body += ']';
  req.headers.set("x-bulkd-job", header_safe(batch.job));
  req.headers.set("x-bulkd-range", header_safe(batch.range_id));
  req.headers.set("x-bulkd-sequence", std::to_string(batch.sequence));
  req.headers.set("x-bulkd-count", std::to_string(batch.documents.size()));
  return req;
}

sink_verdict classify_http_sink_status(int status) {
  if (status >= 200 && status <= 299)
    return sink_verdict::ack;
  if (status == 408 || status == 429 || (status >= 500 && status <= 599))
    return sink_verdict::retry;
  return sink_verdict::fail;
}

http_sink_decision classify_http_sink_response(const http_response& res,
                                               std::chrono::system_clock::time_point now) {
  http_sink_decision out;
  out.verdict = classify_http_sink_status(res.status);
  if (out.verdict == sink_verdict::retry)
    out.retry_after = http_sink_retry_after(res.headers, now);
  return out;
}

sink_verdict classify_http_sink_error(const caf::error& err) {
  if (is_error(err, ec::connection_failed) || is_error(err, ec::timeout) ||
      is_error(err, ec::overloaded))
    return sink_verdict::retry;
  return sink_verdict::fail;
}

std::optional<std::chrono::milliseconds>
http_sink_retry_after(const http_headers& headers, std::chrono::system_clock::time_point now) {
  auto* v = headers.find("Retry-After");
  if (v == nullptr)
    return std::nullopt;
  // Seconds or an HTTP date, the same syntax for every service (RFC 9110 §10.2.3).
  auto wait = keyvault::parse_retry_after(*v, now);
  if (!wait)
    return std::nullopt;
  return std::min(*wait, max_retry_after);
}

std::vector<std::string> http_sink_secrets(const http_sink& spec) {
  std::vector<std::string> out;
  for (auto& [name, value] : spec.headers)
    if (!value.empty())
      out.push_back(value.reveal());
  // Longest first, so that a secret containing another is masked whole.
  std::sort(out.begin(), out.end(),
            [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
  return out;
}

std::string body_excerpt(std::string_view body, const std::vector<std::string>& secrets,
                         size_t limit) {
  size_t longest = 0;
  for (auto& s : secrets)
    longest = std::max(longest, s.size());
  // A secret starting before `limit` ends inside this prefix, so it is masked before the cut.
  std::string text{body.substr(0, limit + longest)};
  for (auto& s : secrets) {
    if (s.empty())
      continue;
    for (auto pos = text.find(s); pos != std::string::npos; pos = text.find(s, pos + 3))
      text.replace(pos, s.size(), "***");
  }
  bool cut = text.size() > limit || body.size() > limit + longest;
  if (text.size() > limit)
    text.resize(limit);
  if (cut)
    drop_partial_utf8(text);
  for (auto& c : text)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
      c = ' ';
  if (cut)
    text += "...";
  return text;
}

} // namespace bulkd
