#pragma once

// Account connection strings as the portal shows them:
// "AccountEndpoint=https://acct.documents.azure.com:443/;AccountKey=...;".

#include <caf/expected.hpp>

#include <string>
#include <string_view>

namespace bulkd::cosmos {

struct connection_string {
  /// The endpoint as written, checked to be an http(s) origin.
  std::string endpoint;
  /// The base64 account key as written (checked to decode).
  std::string key;
};

/// Parses `Name=value` pairs separated by ';' (order-insensitive, names case-insensitive, a
/// trailing ';' and surrounding spaces allowed). AccountEndpoint and AccountKey are required;
/// other names (e.g. DisableServerCertificateValidation) are ignored. Errors
/// (ec::invalid_argument) name the problem and never contain the key.
caf::expected<connection_string> parse_connection_string(std::string_view text);

} // namespace bulkd::cosmos
