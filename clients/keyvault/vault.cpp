#include "clients/keyvault/vault.hpp"

#include "clients/error.hpp"

#include <cctype>

namespace bulkd::keyvault {

caf::expected<vault> make_vault(std::string_view vault_url, std::string_view api_version) {
  if (api_version.empty())
    return make_error(ec::invalid_argument, "empty Key Vault api-version");
  for (unsigned char c : api_version)
    if (!std::isalnum(c) && c != '.' && c != '-')
      return make_error(ec::invalid_argument,
                        "invalid Key Vault api-version \"" + std::string{api_version} + "\"");
  auto base = parse_origin(vault_url);
  if (!base)
    return std::move(base.error());
  return vault{std::move(*base), std::string{api_version}};
}

} // namespace bulkd::keyvault
