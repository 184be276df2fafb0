#include "emulator/identity/client_registry.hpp"

#include "clients/error.hpp"
#include "emulator/keyvault/openssl_support.hpp"

#include <nlohmann/json.hpp>
#include <openssl/crypto.h>

#include <fstream>
#include <sstream>

namespace bulkd::emulator::identity {

namespace {

using json = nlohmann::json;
namespace ossl = bulkd::emulator::openssl;

std::string lower(std::string_view s) {
  std::string out{s};
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z')
      c = static_cast<char>(c + 32);
  return out;
}

std::string key_of(std::string_view tenant, std::string_view client_id) {
  return lower(tenant) + "/" + lower(client_id);
}

bool valid_token(std::string_view s, std::string_view extra) {
  if (s.empty() || s.size() > 256)
    return false;
  for (char c : s) {
    bool ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
              extra.find(c) != std::string_view::npos;
    if (!ok)
      return false;
  }
  return true;
}

caf::error validate(const registered_client& client) {
  if (!valid_token(client.tenant, ".-"))
    return make_error(ec::invalid_argument,
                      "tenant '" + client.tenant + "' must be a GUID or a domain name");
  if (!valid_token(client.client_id, ".-_"))
    return make_error(ec::invalid_argument, "client id '" + client.client_id +
                                                "' may only hold letters, digits, '.', '-', '_'");
  if (client.secret && client.secret->empty())
    return make_error(ec::invalid_argument,
                      "client '" + client.client_id + "' has an empty client_secret");
  if (!client.secret && client.certificates.empty())
    return make_error(ec::invalid_argument,
                      "client '" + client.client_id + "' needs a client_secret or a certificate");
  return {};
}

caf::expected<std::string> read_file(const std::filesystem::path& file) {
  std::ifstream in{file, std::ios::binary};
  if (!in)
    return make_error(ec::io_error, "cannot read " + file.string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The message of a bulkd error without its "code: " head.
std::string message_of(const caf::error& err) {
  auto text = render(err);
  auto colon = text.find(": ");
  return colon == std::string::npos ? text : text.substr(colon + 2);
}

} // namespace

client_registry::client_registry(bool with_dev_client) {
  if (with_dev_client) {
    registered_client dev;
    dev.tenant = std::string{dev_tenant};
    dev.client_id = std::string{dev_client_id};
    dev.secret = std::string{dev_client_secret};
    clients_.emplace(key_of(dev.tenant, dev.client_id), std::move(dev));
  }
}

caf::error client_registry::add(registered_client client) {
  if (auto err = validate(client))
    return err;
  auto key = key_of(client.tenant, client.client_id);
  if (clients_.count(key) > 0)
    return make_error(ec::conflict, "client '" + client.client_id +
                                        "' is already registered in tenant '" + client.tenant +
                                        "'");
  clients_.emplace(std::move(key), std::move(client));
  return {};
}

caf::error client_registry::load_json(std::string_view text,
                                      const std::filesystem::path& base_dir) {
  auto doc = json::parse(text, nullptr, false);
  if (doc.is_discarded())
    return make_error(ec::parse_error, "clients file is not valid JSON");
  if (!doc.is_object() || !doc.contains("clients") || !doc["clients"].is_array())
    return make_error(ec::parse_error, "clients file must be an object with a \"clients\" array");
  std::vector<registered_client> parsed;
  auto& entries = doc["clients"];
  for (size_t i = 0; i < entries.size(); ++i) {
    auto where = "clients[" + std::to_string(i) + "]: ";
    auto& entry = entries[i];
    if (!entry.is_object())
      return make_error(ec::parse_error, where + "must be an object");
    registered_client client;
    std::optional<std::string> pem;
    if (entry.contains("certificate_pem") && entry.contains("certificate_file"))
      return make_error(ec::parse_error,
                        where + "give either certificate_pem or certificate_file, not both");
    for (auto& [name, value] : entry.items()) {
      if (name != "tenant" && name != "client_id" && name != "client_secret" &&
          name != "certificate_pem" && name != "certificate_file")
        return make_error(ec::parse_error, where + "unknown field '" + name + "'");
      if (!value.is_string())
        return make_error(ec::parse_error, where + "'" + name + "' must be a string");
      auto s = value.get<std::string>();
      if (name == "tenant")
        client.tenant = s;
      else if (name == "client_id")
        client.client_id = s;
      else if (name == "client_secret")
        client.secret = s;
      else if (name == "certificate_pem")
        pem = s;
      else {
        auto path = std::filesystem::path{s};
        if (path.is_relative())
          path = base_dir / path;
        auto contents = read_file(path);
        if (!contents)
          return make_error(ec::io_error, where + message_of(contents.error()));
        pem = std::move(*contents);
      }
    }
    if (client.tenant.empty())
      return make_error(ec::parse_error, where + "missing 'tenant'");
    if (client.client_id.empty())
      return make_error(ec::parse_error, where + "missing 'client_id'");
    if (pem) {
      auto cert = client_certificate::from_pem(*pem);
      if (!cert)
        return make_error(ec::parse_error, where + message_of(cert.error()));
      client.certificates.push_back(std::move(*cert));
    }
    if (auto err = validate(client))
      return make_error(ec::parse_error, where + message_of(err));
    parsed.push_back(std::move(client));
  }
  // All or nothing: check duplicates against the registry and within the file first.
  std::map<std::string, size_t> seen;
  for (size_t i = 0; i < parsed.size(); ++i) {
    auto key = key_of(parsed[i].tenant, parsed[i].client_id);
    if (clients_.count(key) > 0 || !seen.emplace(key, i).second)
      return make_error(ec::conflict,
                        "clients[" + std::to_string(i) + "]: client '" + parsed[i].client_id +
                            "' is already registered in tenant '" + parsed[i].tenant + "'");
  }
  for (auto& client : parsed)
    clients_.emplace(key_of(client.tenant, client.client_id), std::move(client));
  return {};
}

caf::error client_registry::load_file(const std::filesystem::path& file) {
  auto text = read_file(file);
  if (!text)
    return text.error();
  if (auto err = load_json(*text, file.parent_path()))
    return make_error(static_cast<ec>(err.code()), file.string() + ": " + message_of(err));
  return {};
}

const registered_client* client_registry::find(std::string_view tenant,
                                               std::string_view client_id) const {
  auto i = clients_.find(key_of(tenant, client_id));
  return i == clients_.end() ? nullptr : &i->second;
}

bool client_registry::has_tenant(std::string_view tenant) const {
  auto prefix = lower(tenant) + "/";
  auto i = clients_.lower_bound(prefix);
  return i != clients_.end() && i->first.compare(0, prefix.size(), prefix) == 0;
}

bool client_registry::secret_matches(const registered_client& client, std::string_view presented) {
  if (!client.secret)
    return false;
  auto expected = ossl::digest("SHA256", *client.secret);
  auto given = ossl::digest("SHA256", presented);
  return expected.size() == given.size() && !expected.empty() &&
         CRYPTO_memcmp(expected.data(), given.data(), expected.size()) == 0;
}

} // namespace bulkd::emulator::identity
