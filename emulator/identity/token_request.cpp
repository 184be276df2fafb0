#include "emulator/identity/token_request.hpp"

#include "clients/identity/form.hpp"

#include <set>

namespace bulkd::emulator::identity {

std::optional<std::vector<std::pair<std::string, std::string>>> parse_form(std::string_view body) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!body.empty()) {
    auto amp = body.find('&');
    auto pair = body.substr(0, amp);
    body = amp == std::string_view::npos ? std::string_view{} : body.substr(amp + 1);
    if (pair.empty())
      continue;
    auto eq = pair.find('=');
    // Unlike bulkd::identity::form_decode, a field without '=' is accepted with an empty value (a
    // lenient server); the escapes are decoded the same way.
    auto name = bulkd::identity::form_decode_component(pair.substr(0, eq));
    auto value = bulkd::identity::form_decode_component(
        eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1));
    if (!name || !value)
      return std::nullopt;
    out.emplace_back(std::move(*name), std::move(*value));
  }
  return out;
}

std::variant<token_request, aad_error> parse_token_request(std::string_view body) {
  auto form = parse_form(body);
  if (!form)
    return aad_errors::malformed_request("The body holds a broken percent-escape.");
  std::optional<std::string> grant_type, client_id, scope, secret, assertion, assertion_type;
  std::set<std::string> seen;
  for (auto& [name, value] : *form) {
    std::optional<std::string>* slot = nullptr;
    if (name == "grant_type")
      slot = &grant_type;
    else if (name == "client_id")
      slot = &client_id;
    else if (name == "scope")
      slot = &scope;
    else if (name == "client_secret")
      slot = &secret;
    else if (name == "client_assertion")
      slot = &assertion;
    else if (name == "client_assertion_type")
      slot = &assertion_type;
    if (slot == nullptr)
      continue;
    if (!seen.insert(name).second)
      return aad_errors::malformed_request("The parameter '" + name + "' appears more than once.");
    if (!value.empty())
      *slot = value;
    else
      *slot = std::nullopt;
  }
  if (!grant_type)
    return aad_errors::missing_parameter("grant_type");
  if (*grant_type != "client_credentials")
    return aad_errors::unsupported_grant_type(*grant_type);
  if (!client_id)
    return aad_errors::missing_parameter("client_id");
  if (!scope)
    return aad_errors::missing_parameter("scope");
  if (scope->find(' ') != std::string::npos)
    return aad_errors::invalid_scope(*scope);
  constexpr std::string_view suffix = "/.default";
  if (scope->size() <= suffix.size() ||
      scope->compare(scope->size() - suffix.size(), suffix.size(), suffix) != 0)
    return aad_errors::scope_not_default(*scope);
  if (secret && (assertion || assertion_type))
    return aad_errors::two_credentials();
  if (!secret && !assertion)
    return aad_errors::missing_credential();
  if (assertion) {
    if (!assertion_type)
      return aad_errors::missing_parameter("client_assertion_type");
    if (*assertion_type != jwt_bearer_assertion_type)
      return aad_errors::bad_assertion_type(*assertion_type);
  }
  token_request out;
  out.grant_type = std::move(*grant_type);
  out.client_id = std::move(*client_id);
  out.audience = audience_of_scope(*scope);
  out.scope = std::move(*scope);
  out.client_secret = std::move(secret);
  out.client_assertion = std::move(assertion);
  return out;
}

nlohmann::json token_response_json(const issued_token& token) {
  return {{"token_type", "Bearer"},
          {"expires_in", token.expires_in},
          {"ext_expires_in", token.expires_in},
          {"access_token", token.access_token}};
}

} // namespace bulkd::emulator::identity
