#include "clients/cosmos/resource_path.hpp"

#include "clients/cosmos/error_message.hpp"
#include "clients/cosmos/rid.hpp"
#include "clients/cosmos/url_encoding.hpp"
#include "clients/error.hpp"

#include <algorithm>
#include <array>
#include <cctype>

namespace bulkd::cosmos {

namespace {

struct child_rule {
  std::string_view parent; // "" is the account root
  std::string_view child;
};

// Which feed may follow which resource.
constexpr std::array<child_rule, 13> hierarchy = {{
    {"", "dbs"},
    {"", "offers"},
    {"dbs", "colls"},
    {"dbs", "users"},
    {"colls", "docs"},
    {"colls", "pkranges"},
    {"colls", "sprocs"},
    {"colls", "triggers"},
    {"colls", "udfs"},
    {"colls", "conflicts"},
    {"docs", "attachments"},
    {"users", "permissions"},
    {"colls", "schemas"},
}};

bool allowed(std::string_view parent, std::string_view child) {
  return std::any_of(hierarchy.begin(), hierarchy.end(), [&](const child_rule& rule) {
    return rule.parent == parent && rule.child == child;
  });
}

std::string lower(std::string_view text) {
  std::string out{text};
  for (auto& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

caf::error bad_path(std::string_view path, std::string why) {
  return make_error(ec::invalid_argument,
                    "invalid resource path '" + std::string{path} + "': " + std::move(why));
}

} // namespace

std::optional<std::string> resource_address::id(std::string_view type) const {
  for (size_t i = 0; i + 1 < segments.size(); i += 2)
    if (segments[i] == type)
      return segments[i + 1];
  return std::nullopt;
}

caf::expected<resource_address> parse_resource_path(std::string_view path) {
  auto full = path;
  if (auto query = path.find('?'); query != std::string_view::npos)
    path = path.substr(0, query);
  if (path.empty() || path.front() != '/')
    return bad_path(full, "it does not start with '/'");
  path.remove_prefix(1);
  if (!path.empty() && path.back() == '/')
    path.remove_suffix(1);
  resource_address result;
  while (!path.empty() || !result.segments.empty()) {
    auto slash = path.find('/');
    auto raw = path.substr(0, slash);
    if (raw.empty())
      return bad_path(full, "segment " + std::to_string(result.segments.size() + 1) + " is empty");
    auto decoded = url_decode(raw);
    if (!decoded)
      return bad_path(full, error_message(decoded.error()));
    result.segments.push_back(std::move(*decoded));
    if (slash == std::string_view::npos)
      break;
    path.remove_prefix(slash + 1);
  }
  const auto& segs = result.segments;
  for (size_t i = 0; i < segs.size(); i += 2) {
    std::string_view parent = i == 0 ? std::string_view{} : std::string_view{segs[i - 2]};
    if (!allowed(parent, segs[i])) {
      if (parent.empty())
        return bad_path(full, "unknown resource type '" + segs[i] + "'");
      return bad_path(full, "'" + segs[i] + "' cannot follow '" + std::string{parent} + "'");
    }
  }
  auto n = segs.size();
  if (n == 0)
    return result;
  result.is_feed = n % 2 == 1;
  result.resource_type = result.is_feed ? segs[n - 1] : segs[n - 2];
  result.name_based = !(segs[0] == "offers" || (n >= 2 && is_database_rid(segs[1])));
  auto link_size = result.is_feed ? n - 1 : n;
  if (result.name_based) {
    for (size_t i = 0; i < link_size; ++i) {
      if (i > 0)
        result.resource_link += '/';
      result.resource_link += segs[i];
    }
  } else if (link_size > 0) {
    result.resource_link = lower(segs[link_size - 1]);
  }
  return result;
}

std::string request_path(std::string_view link) {
  std::string out;
  while (!link.empty()) {
    auto slash = link.find('/');
    out += '/';
    out += url_encode_component(link.substr(0, slash));
    if (slash == std::string_view::npos)
      break;
    link.remove_prefix(slash + 1);
  }
  return out.empty() ? "/" : out;
}

} // namespace bulkd::cosmos
