#include "clients/identity/token_response.hpp"

#include "clients/cosmos/http_date.hpp"
#include "clients/error.hpp"
#include "clients/identity/form.hpp"

#include <nlohmann/json.hpp>

#include <charconv>
#include <cstdint>
#include <optional>
#include <vector>

namespace bulkd::identity {

namespace {

using json = nlohmann::json;

constexpr size_t max_quoted_body = 200;

// Ten years: anything longer is a broken answer (and would overflow time arithmetic).
constexpr int64_t max_lifetime = int64_t{10} * 366 * 86400;

// Values of the request that must never appear in a message.
std::vector<std::string> secrets_of(const http_request& sent) {
  std::vector<std::string> out;
  if (auto fields = form_decode(sent.body))
    for (auto& [name, value] : *fields)
      if (name == "client_secret" || name == "client_assertion")
        out.push_back(value);
  for (auto name : {"X-IDENTITY-HEADER", "secret", "Authorization"})
    if (auto* v = sent.headers.find(name))
      out.push_back(*v);
  std::vector<std::string> encoded;
  for (auto& s : out)
    encoded.push_back(percent_encode(s));
  out.insert(out.end(), encoded.begin(), encoded.end());
  return out;
}

std::string redacted(std::string text, const std::vector<std::string>& secrets) {
  for (auto& s : secrets) {
    if (s.size() < 4)
      continue;
    for (auto pos = text.find(s); pos != std::string::npos; pos = text.find(s, pos))
      text.replace(pos, s.size(), "[redacted]");
  }
  return text;
}

std::string one_line(std::string_view text, size_t limit) {
  std::string out;
  for (size_t i = 0; i < text.size() && i < limit; ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c == '\r')
      continue;
    out += (c < 0x20 || c == 0x7f) ? ' ' : static_cast<char>(c);
  }
  if (text.size() > limit)
    out += "...";
  return out;
}

std::string string_field(const json& obj, const char* name) {
  auto i = obj.find(name);
  return i != obj.end() && i->is_string() ? i->get<std::string>() : std::string{};
}

// A JSON integer or a string of decimal digits; nullopt when absent; error text when malformed.
std::optional<int64_t> number_field(const json& obj, const char* name, std::string& error) {
  auto i = obj.find(name);
  if (i == obj.end() || i->is_null())
    return std::nullopt;
  if (i->is_number_integer())
    return i->get<int64_t>();
  if (i->is_number_float()) {
    auto d = i->get<double>();
    if (d >= 0 && d < 1e12)
      return static_cast<int64_t>(d);
  }
  if (i->is_string()) {
    auto s = i->get<std::string>();
    int64_t v = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (!s.empty() && ec == std::errc{} && end == s.data() + s.size())
      return v;
  }
  error = std::string{name} + " is not a number";
  return std::nullopt;
}

std::string describe_error_body(const http_response& resp) {
  auto doc = json::parse(resp.body, nullptr, false);
  if (!doc.is_discarded() && doc.is_object()) {
    auto error = string_field(doc, "error");
    auto description = string_field(doc, "error_description");
    if (error.empty() && doc.contains("error") && doc["error"].is_object()) {
      // {"error": {"code", "message"}} as some Azure endpoints answer.
      error = string_field(doc["error"], "code");
      description = string_field(doc["error"], "message");
    }
    if (error.empty() && description.empty())
      description = string_field(doc, "message"); // App Service
    if (!error.empty() || !description.empty()) {
      std::string text = error;
      if (!description.empty())
        text += (text.empty() ? "" : ": ") + one_line(description, 1000);
      if (auto i = doc.find("error_codes");
          description.find("AADSTS") == std::string::npos && i != doc.end() && i->is_array()) {
        std::string codes;
        for (auto& c : *i)
          if (c.is_number_integer())
            codes += (codes.empty() ? "" : ",") + std::to_string(c.get<int64_t>());
        if (!codes.empty())
          text += " (AADSTS" + codes + ")";
      }
      return text;
    }
  }
  if (resp.body.empty())
    return "(empty body)";
  return "(unexpected body) " + one_line(resp.body, max_quoted_body);
}

} // namespace

caf::expected<token> parse_token_response(std::string_view who, const http_request& sent,
                                          const http_response& resp, seconds_clock_time now) {
  auto secrets = secrets_of(sent);
  auto head = std::string{who} + ": token request " + describe(sent);
  if (resp.status != 200) {
    ec code = ec::http_error;
    if (resp.status == 400 || resp.status == 401 || resp.status == 403)
      code = ec::unauthorized;
    else if (resp.status == 429)
      code = ec::overloaded;
    return make_error(code, redacted(head + " failed with " + std::to_string(resp.status) + ": " +
                                         describe_error_body(resp),
                                     secrets));
  }
  auto bad = [&](const std::string& why) {
    return make_error(ec::parse_error, redacted(head + ": unusable answer: " + why, secrets));
  };
  auto doc = json::parse(resp.body, nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    return bad("not a JSON object");
  auto access = doc.find("access_token");
  if (access == doc.end() || !access->is_string() || access->get<std::string>().empty())
    return bad("no access_token");
  auto type = string_field(doc, "token_type");
  if (!type.empty() && !iequals(type, "bearer"))
    return bad("token_type \"" + type + "\" is not Bearer");
  std::string error;
  auto expires_in = number_field(doc, "expires_in", error);
  auto refresh_in = number_field(doc, "refresh_in", error);
  std::optional<seconds_clock_time> expires_on;
  if (auto i = doc.find("expires_on"); i != doc.end() && !i->is_null()) {
    std::string on_error;
    if (auto n = number_field(doc, "expires_on", on_error); n && *n >= 0 && *n < 100'000'000'000)
      expires_on = seconds_clock_time{std::chrono::seconds{*n}};
    else if (i->is_string())
      if (auto date = cosmos::parse_http_date(i->get<std::string>()))
        expires_on = *date;
    if (!expires_on)
      error = "expires_on is neither Unix seconds nor an HTTP date";
  }
  if (!error.empty())
    return bad(error);
  seconds_clock_time expiry;
  if (expires_in) {
    if (*expires_in <= 0 || *expires_in > max_lifetime)
      return bad("expires_in " + std::to_string(*expires_in) + " is out of range");
    expiry = now + std::chrono::seconds{*expires_in};
  } else if (expires_on) {
    if (*expires_on - now > std::chrono::seconds{max_lifetime})
      return bad("expires_on is more than 10 years ahead");
    expiry = *expires_on;
  } else {
    return bad("neither expires_in nor expires_on");
  }
  if (expiry <= now)
    return bad("the token has already expired");
  std::optional<std::chrono::seconds> hint;
  if (refresh_in)
    hint = std::chrono::seconds{*refresh_in};
  return make_token(access->get<std::string>(), type, now, expiry, hint);
}

} // namespace bulkd::identity
