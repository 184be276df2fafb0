#pragma once

// Master-key request signing (type=master&ver=1.0&sig=...), both ways: a client builds the
// Authorization header, a server parses and verifies one.

#include "clients/cosmos/http_date.hpp"

#include <caf/error.hpp>
#include <caf/expected.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace bulkd::cosmos {

/// The decoded account key. Decode once, sign many requests.
struct master_key {
  std::vector<uint8_t> bytes;
};

/// Decodes a base64 account key.
caf::expected<master_key> parse_master_key(std::string_view base64_key);

/// lower(verb) \n lower(type) \n link \n lower(x-ms-date) \n \n. The link is used as given: the
/// caller lowercases RID-based links (resource_path does). Only without x-ms-date does the legacy
/// `date` header fill the last line instead (lowercased).
std::string string_to_sign(std::string_view verb, std::string_view resource_type,
                           std::string_view resource_link, std::string_view x_ms_date,
                           std::string_view date = {});

/// base64(HMAC-SHA256(key, payload)).
std::string compute_signature(const master_key& key, std::string_view payload);

/// The value of the Authorization header: url-encoded "type=master&ver=1.0&sig=<sig>".
std::string master_authorization(const master_key& key, std::string_view verb,
                                 std::string_view resource_type, std::string_view resource_link,
                                 std::string_view x_ms_date);

enum class token_type { master, resource, aad };

const char* to_string(token_type type);

/// A parsed Authorization header.
struct authorization_token {
  token_type type = token_type::master;
  std::string version;
  std::string signature; // up to the first ',' when there is one
};

/// Parses an Authorization header, URL-encoded (either hex case) or raw.
caf::expected<authorization_token> parse_authorization(std::string_view header);

/// Checks a master-key signed request; all failures are ec::unauthorized with a message a server
/// can put into its 401 body. AAD and resource tokens are refused with a message of their own.
/// The comparison of signatures takes constant time.
caf::error verify_master_authorization(std::string_view header, const master_key& key,
                                       std::string_view verb, std::string_view resource_type,
                                       std::string_view resource_link, std::string_view x_ms_date,
                                       std::string_view date = {});

/// The service accepts a request whose date lies in [now - 15 min - skew, now + skew], skew 15 min.
inline constexpr std::chrono::seconds allowed_clock_skew{900};
inline constexpr std::chrono::seconds master_token_expiry{900};

/// ec::unauthorized when the request date is outside the accepted window around now.
caf::error check_request_time(http_time request_time, http_time now);

} // namespace bulkd::cosmos
