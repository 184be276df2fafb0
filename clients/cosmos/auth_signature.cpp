#include "clients/cosmos/auth_signature.hpp"

#include "clients/cosmos/base64.hpp"
#include "clients/cosmos/error_message.hpp"
#include "clients/cosmos/url_encoding.hpp"
#include "clients/error.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cctype>

namespace bulkd::cosmos {

namespace {

// Header size limits the service enforces.
constexpr size_t max_master_header = 1024;
constexpr size_t max_resource_header = 8 * 1024;
constexpr size_t max_aad_header = 16 * 1024;

void append_lower(std::string& out, std::string_view text) {
  for (char c : text)
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
}

// For error messages: the payload with its newlines visible.
std::string escape_newlines(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

caf::error unauthorized(std::string message) {
  return make_error(ec::unauthorized, std::move(message));
}

} // namespace

caf::expected<master_key> parse_master_key(std::string_view base64_key) {
  if (base64_key.empty())
    return make_error(ec::invalid_argument, "the account key is empty");
  auto bytes = base64_decode(base64_key);
  if (!bytes)
    return make_error(ec::invalid_argument,
                      "the account key is not valid base64: " + error_message(bytes.error()));
  return master_key{std::move(*bytes)};
}

std::string string_to_sign(std::string_view verb, std::string_view resource_type,
                           std::string_view resource_link, std::string_view x_ms_date,
                           std::string_view date) {
  std::string out;
  out.reserve(verb.size() + resource_type.size() + resource_link.size() + x_ms_date.size() +
              date.size() + 5);
  append_lower(out, verb);
  out += '\n';
  append_lower(out, resource_type);
  out += '\n';
  out += resource_link;
  out += '\n';
  append_lower(out, x_ms_date);
  out += '\n';
  if (x_ms_date.empty())
    append_lower(out, date);
  out += '\n';
  return out;
}

std::string compute_signature(const master_key& key, std::string_view payload) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), key.bytes.data(), static_cast<int>(key.bytes.size()),
       reinterpret_cast<const unsigned char*>(payload.data()), payload.size(), digest, &size);
  return base64_encode(digest, size);
}

std::string master_authorization(const master_key& key, std::string_view verb,
                                 std::string_view resource_type, std::string_view resource_link,
                                 std::string_view x_ms_date) {
  auto payload = string_to_sign(verb, resource_type, resource_link, x_ms_date);
  return url_encode_component("type=master&ver=1.0&sig=" + compute_signature(key, payload));
}

const char* to_string(token_type type) {
  switch (type) {
  case token_type::master:
    return "master";
  case token_type::resource:
    return "resource";
  case token_type::aad:
    return "aad";
  }
  return "unknown";
}

caf::expected<authorization_token> parse_authorization(std::string_view header) {
  if (header.empty())
    return make_error(ec::parse_error, "the Authorization header is empty");
  auto decoded = url_decode(header);
  if (!decoded)
    return make_error(ec::parse_error, "the Authorization header is not URL-encoded correctly: " +
                                           error_message(decoded.error()));
  std::string_view rest = *decoded;
  std::string_view type;
  std::string_view version;
  std::string_view signature;
  bool have_type = false;
  bool have_version = false;
  bool have_signature = false;
  while (!rest.empty()) {
    // The signature is last and may itself contain '&' (resource tokens); it takes the rest.
    if (rest.substr(0, 4) == "sig=") {
      signature = rest.substr(4);
      have_signature = true;
      break;
    }
    auto amp = rest.find('&');
    auto part = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
    auto eq = part.find('=');
    if (eq == std::string_view::npos)
      return make_error(ec::parse_error, "malformed Authorization header: part '" +
                                             std::string{part} + "' has no '='");
    auto name = part.substr(0, eq);
    auto value = part.substr(eq + 1);
    if (name == "type") {
      type = value;
      have_type = true;
    } else if (name == "ver") {
      version = value;
      have_version = true;
    }
  }
  if (!have_type)
    return make_error(ec::parse_error, "malformed Authorization header: no type");
  authorization_token token;
  size_t limit = 0;
  if (type == "master") {
    token.type = token_type::master;
    limit = max_master_header;
  } else if (type == "resource") {
    token.type = token_type::resource;
    limit = max_resource_header;
  } else if (type == "aad") {
    token.type = token_type::aad;
    limit = max_aad_header;
  } else {
    return make_error(ec::parse_error, "unsupported Authorization type '" + std::string{type} +
                                           "' (expected master, resource or aad)");
  }
  if (header.size() > limit)
    return make_error(ec::parse_error, "the Authorization header has " +
                                           std::to_string(header.size()) + " bytes; " +
                                           to_string(token.type) + " tokens may have at most " +
                                           std::to_string(limit));
  if (!have_version || version.empty())
    return make_error(ec::parse_error, "malformed Authorization header: no ver");
  if (auto comma = signature.find(','); comma != std::string_view::npos)
    signature = signature.substr(0, comma);
  if (!have_signature || signature.empty())
    return make_error(ec::parse_error, "malformed Authorization header: no sig");
  token.version = std::string{version};
  token.signature = std::string{signature};
  return token;
}

caf::error verify_master_authorization(std::string_view header, const master_key& key,
                                       std::string_view verb, std::string_view resource_type,
                                       std::string_view resource_link, std::string_view x_ms_date,
                                       std::string_view date) {
  auto token = parse_authorization(header);
  if (!token)
    return unauthorized(error_message(token.error()));
  switch (token->type) {
  case token_type::master:
    break;
  case token_type::aad:
    return unauthorized("Microsoft Entra ID tokens (type=aad) are not accepted; sign requests "
                        "with the account key (type=master)");
  case token_type::resource:
    return unauthorized("resource tokens (type=resource) are not accepted; sign requests with "
                        "the account key (type=master)");
  }
  if (token->version != "1.0")
    return unauthorized("unsupported master token version '" + token->version + "' (expected 1.0)");
  if (x_ms_date.empty() && date.empty())
    return unauthorized("the request has neither an x-ms-date nor a date header");
  auto payload = string_to_sign(verb, resource_type, resource_link, x_ms_date, date);
  auto expected = compute_signature(key, payload);
  bool same = expected.size() == token->signature.size() &&
              CRYPTO_memcmp(expected.data(), token->signature.data(), expected.size()) == 0;
  if (!same)
    return unauthorized("the signature does not match; the payload to sign was '" +
                        escape_newlines(payload) + "'");
  return {};
}

caf::error check_request_time(http_time request_time, http_time now) {
  auto earliest = now - master_token_expiry - allowed_clock_skew;
  auto latest = now + allowed_clock_skew;
  if (request_time < earliest)
    return unauthorized("the request date " + format_http_date(request_time) +
                        " is too old (server time " + format_http_date(now) + ")");
  if (request_time > latest)
    return unauthorized("the request date " + format_http_date(request_time) +
                        " is in the future (server time " + format_http_date(now) + ")");
  return {};
}

} // namespace bulkd::cosmos
