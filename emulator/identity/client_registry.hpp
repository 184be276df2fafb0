#pragma once

// The applications the emulator's identity endpoint knows: per tenant, a client id with a secret
// and/or certificates. The well-known development client is built in (and printed by
// `bulkd emulator` at start); more can be loaded from a JSON file:
//
//   {"clients": [{"tenant": "<guid or domain>", "client_id": "my-app",
//                 "client_secret": "...",              // and/or one of:
//                 "certificate_pem": "-----BEGIN CERTIFICATE-----...",
//                 "certificate_file": "my-app.pem"}]}  // relative to the JSON file
//
// Tenants and client ids compare case-insensitively, like AAD's GUIDs.

#include "emulator/identity/client_certificate.hpp"

#include <caf/error.hpp>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bulkd::emulator::identity {

inline constexpr std::string_view dev_tenant = "00000000-0000-0000-0000-000000000000";
inline constexpr std::string_view dev_client_id = "bulkd-dev";
inline constexpr std::string_view dev_client_secret = "bulkd-dev-secret";

struct registered_client {
  std::string tenant;
  std::string client_id;
  std::optional<std::string> secret;
  std::vector<client_certificate> certificates;
};

class client_registry {
public:
  /// Starts with the development client (tenant 00000000-…, bulkd-dev / bulkd-dev-secret), or
  /// empty.
  explicit client_registry(bool with_dev_client = true);

  /// Fails (conflict) for a tenant + client id that is already registered, (invalid_argument) for
  /// a bad tenant or client id or a client without any credential.
  caf::error add(registered_client client);

  /// Adds every client of a JSON document (see above), or none when any entry is bad.
  caf::error load_json(std::string_view text, const std::filesystem::path& base_dir = {});
  caf::error load_file(const std::filesystem::path& file);

  const registered_client* find(std::string_view tenant, std::string_view client_id) const;
  bool has_tenant(std::string_view tenant) const;
  size_t size() const { return clients_.size(); }

  /// Compares in constant time (over SHA-256 digests, so the length does not leak either).
  static bool secret_matches(const registered_client& client, std::string_view presented);

private:
  std::map<std::string, registered_client> clients_; // key: lower(tenant) + "/" + lower(id)
};

} // namespace bulkd::emulator::identity
