#pragma once

// How bulkd gets AAD tokens for an account or vault.

#include "jobs/enum_names.hpp"
#include "jobs/secret.hpp"

#include <array>
#include <string>

namespace bulkd {

enum class credential_type {
  client_secret,
  client_certificate,
  managed_identity,
  workload_identity,
  default_chain, // environment -> workload identity -> managed identity
};

template <>
struct enum_names<credential_type> {
  static constexpr std::array<std::pair<credential_type, std::string_view>, 5> values{{
      {credential_type::client_secret, "client-secret"},
      {credential_type::client_certificate, "client-certificate"},
      {credential_type::managed_identity, "managed-identity"},
      {credential_type::workload_identity, "workload-identity"},
      {credential_type::default_chain, "default"},
  }};
};

inline constexpr const char* default_authority_host = "https://login.microsoftonline.com";

struct credential_spec {
  credential_type type = credential_type::default_chain;
  std::string tenant_id;        // required for client-secret and client-certificate
  std::string client_id;        // required for client-secret and client-certificate
  secret client_secret;         // client-secret only, required there
  std::string certificate_file; // client-certificate only (PEM with key), required there
  std::string authority_host = default_authority_host;

  friend bool operator==(const credential_spec&, const credential_spec&) = default;
};

} // namespace bulkd
