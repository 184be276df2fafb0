#include "clients/identity/challenge.hpp"

#include "clients/cosmos/error_message.hpp"
#include "clients/error.hpp"
#include "clients/http_headers.hpp"
#include "clients/identity/authority.hpp"
#include "clients/url.hpp"

#include <algorithm>
#include <cctype>
#include <optional>

namespace bulkd::identity {

namespace {

bool is_tchar(unsigned char c) {
  return std::isalnum(c) ||
         std::string_view{"!#$%&'*+-.^_`|~"}.find(static_cast<char>(c)) != std::string_view::npos;
}

bool is_space(char c) {
  return c == ' ' || c == '\t';
}

std::string lowered(std::string_view s) {
  std::string out{s};
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

class tokenizer {
public:
  explicit tokenizer(std::string_view text) : text_(text) {}

  caf::expected<std::vector<auth_challenge>> run() {
    std::vector<auth_challenge> out;
    skip_separators();
    while (!at_end()) {
      auto scheme = token();
      if (scheme.empty())
        return fail("expected an authentication scheme");
      auth_challenge ch;
      ch.scheme = std::string{scheme};
      if (auto err = params(ch))
        return err;
      out.push_back(std::move(ch));
      skip_separators();
    }
    if (out.empty())
      return make_error(ec::parse_error, "empty WWW-Authenticate header");
    return out;
  }

private:
  caf::error params(auth_challenge& ch) {
    skip_spaces();
    if (auto t68 = token68()) {
      ch.params.emplace_back("", std::move(*t68));
      return caf::none;
    }
    while (true) {
      auto mark = pos_;
      skip_separators();
      if (at_end())
        return caf::none;
      auto name_start = pos_;
      auto name = token();
      if (name.empty())
        return fail("expected a parameter name");
      skip_spaces();
      if (at_end() || text_[pos_] != '=') {
        // A token without '=': the next challenge's scheme.
        pos_ = mark;
        return caf::none;
      }
      ++pos_; // '='
      skip_spaces();
      std::string value;
      if (!at_end() && text_[pos_] == '"') {
        ++pos_;
        bool closed = false;
        while (!at_end()) {
          char c = text_[pos_++];
          if (c == '\\') {
            if (at_end())
              break;
            value += text_[pos_++];
          } else if (c == '"') {
            closed = true;
            break;
          } else {
            value += c;
          }
        }
        if (!closed)
          return fail("unterminated quoted value of parameter \"" + std::string{name} + "\"");
      } else {
        auto start = pos_;
        while (!at_end() && text_[pos_] != ',' && !is_space(text_[pos_]))
          ++pos_;
        value = std::string{text_.substr(start, pos_ - start)};
        if (value.empty())
          return fail("missing value of parameter \"" + std::string{name} + "\"");
      }
      auto key = lowered(name);
      for (auto& [k, v] : ch.params)
        if (k == key) {
          pos_ = name_start;
          return fail("parameter \"" + key + "\" appears twice");
        }
      ch.params.emplace_back(std::move(key), std::move(value));
    }
  }

  // token68 (RFC 9110 §11.2): the whole rest of a challenge, e.g. Basic's credentials.
  std::optional<std::string> token68() {
    auto p = pos_;
    while (p < text_.size() &&
           (std::isalnum(static_cast<unsigned char>(text_[p])) ||
            std::string_view{"-._~+/"}.find(text_[p]) != std::string_view::npos))
      ++p;
    if (p == pos_)
      return std::nullopt;
    auto body_end = p;
    while (p < text_.size() && text_[p] == '=')
      ++p;
    auto q = p;
    while (q < text_.size() && is_space(text_[q]))
      ++q;
    if (q != text_.size() && text_[q] != ',')
      return std::nullopt;
    // "name=," reads as a parameter without a value (refused later), unless the text holds '/'
    // or '+', which no parameter name does. "name=" at the very end is taken as a token68.
    if (p - body_end == 1 &&
        text_.substr(pos_, body_end - pos_).find_first_of("/+") == std::string_view::npos &&
        q != text_.size())
      return std::nullopt;
    auto out = std::string{text_.substr(pos_, p - pos_)};
    pos_ = p;
    return out;
  }

  std::string_view token() {
    auto start = pos_;
    while (!at_end() && is_tchar(static_cast<unsigned char>(text_[pos_])))
      ++pos_;
    return text_.substr(start, pos_ - start);
  }

  void skip_spaces() {
    while (!at_end() && is_space(text_[pos_]))
      ++pos_;
  }

  void skip_separators() {
    while (!at_end() && (is_space(text_[pos_]) || text_[pos_] == ','))
      ++pos_;
  }

  bool at_end() const { return pos_ >= text_.size(); }

  caf::error fail(const std::string& why) const {
    return make_error(ec::parse_error, "invalid WWW-Authenticate header at offset " +
                                           std::to_string(pos_) + ": " + why);
  }

  std::string_view text_;
  size_t pos_ = 0;
};

} // namespace

std::string auth_challenge::param(std::string_view name) const {
  for (auto& [k, v] : params)
    if (iequals(k, name))
      return v;
  return {};
}

caf::expected<std::vector<auth_challenge>> parse_www_authenticate(std::string_view header) {
  return tokenizer{header}.run();
}

caf::expected<bearer_challenge> parse_bearer_challenge(std::string_view header) {
  auto challenges = parse_www_authenticate(header);
  if (!challenges)
    return std::move(challenges.error());
  auto bad = [](const std::string& why) {
    return make_error(ec::parse_error, "invalid Bearer challenge: " + why);
  };
  auto i = std::find_if(challenges->begin(), challenges->end(),
                        [](const auth_challenge& c) { return iequals(c.scheme, "Bearer"); });
  if (i == challenges->end())
    return bad("no Bearer challenge in \"" + std::string{header} + "\"");
  bearer_challenge out;
  out.authorization = i->param("authorization");
  if (out.authorization.empty())
    out.authorization = i->param("authorization_uri");
  if (out.authorization.empty())
    return bad("missing authorization (or authorization_uri)");
  auto authority = parse_url(out.authorization);
  if (!authority)
    return bad("authorization \"" + out.authorization + "\" is not an http(s) URL");
  auto path = std::string_view{authority->target};
  path = path.substr(0, path.find('?'));
  path.remove_prefix(1);
  out.tenant = std::string{path.substr(0, path.find('/'))};
  if (out.tenant.empty())
    return bad("authorization \"" + out.authorization + "\" names no tenant");
  if (auto err = check_tenant(out.tenant))
    return bad(cosmos::error_message(err));
  out.resource = i->param("resource");
  if (!out.resource.empty()) {
    auto r = std::string_view{out.resource};
    while (!r.empty() && r.back() == '/')
      r.remove_suffix(1);
    out.scope = std::string{r} + "/.default";
  } else {
    out.scope = i->param("scope");
  }
  if (out.scope.empty())
    return bad("neither resource nor scope");
  out.error = i->param("error");
  out.claims = i->param("claims");
  return out;
}

caf::expected<bearer_challenge> challenge_of(const http_response& resp) {
  if (resp.status != 401)
    return make_error(ec::parse_error,
                      "expected a 401 with a challenge, got " + std::to_string(resp.status));
  // Several WWW-Authenticate fields are one comma-separated list (RFC 9110 §5.3).
  std::string joined;
  for (auto& [name, value] : resp.headers)
    if (iequals(name, "WWW-Authenticate"))
      joined += (joined.empty() ? "" : ", ") + value;
  if (joined.empty())
    return make_error(ec::parse_error, "401 without a WWW-Authenticate header");
  return parse_bearer_challenge(joined);
}

caf::error verify_challenge_scope(const bearer_challenge& challenge, std::string_view vault_host) {
  auto scope = parse_url(challenge.scope);
  if (!scope)
    return make_error(ec::unauthorized,
                      "challenge scope \"" + challenge.scope + "\" is not an http(s) URL");
  auto host = lowered(vault_host);
  auto& expected = scope->host;
  bool ok = host == expected ||
            (host.size() > expected.size() &&
             host.compare(host.size() - expected.size(), expected.size(), expected) == 0 &&
             host[host.size() - expected.size() - 1] == '.');
  if (!ok)
    return make_error(ec::unauthorized, "challenge resource \"" + challenge.scope +
                                            "\" does not belong to the vault host \"" + host +
                                            "\"");
  return caf::none;
}

} // namespace bulkd::identity
