#include "clients/cosmos/session_token.hpp"

#include "clients/error.hpp"

#include <algorithm>
#include <charconv>

namespace bulkd::cosmos {

namespace {

caf::error bad(std::string_view part, std::string why) {
  return make_error(ec::parse_error,
                    "invalid session token '" + std::string{part} + "': " + std::move(why));
}

bool to_int(std::string_view text, int64_t& out) {
  if (text.empty())
    return false;
  auto [ptr, err] = std::from_chars(text.data(), text.data() + text.size(), out);
  return err == std::errc{} && ptr == text.data() + text.size();
}

std::vector<std::string_view> split(std::string_view text, char sep) {
  std::vector<std::string_view> out;
  size_t pos = 0;
  while (true) {
    auto end = text.find(sep, pos);
    if (end == std::string_view::npos) {
      out.push_back(text.substr(pos));
      return out;
    }
    out.push_back(text.substr(pos, end - pos));
    pos = end + 1;
  }
}

caf::expected<session_token_part> parse_part(std::string_view part) {
  auto colon = part.find(':');
  if (colon == std::string_view::npos)
    return bad(part, "expected '<range id>:<token>'");
  session_token_part out;
  out.range_id = std::string{part.substr(0, colon)};
  if (out.range_id.empty())
    return bad(part, "the range id is empty");
  auto fields = split(part.substr(colon + 1), '#');
  if (fields.size() == 1) {
    if (!to_int(fields[0], out.global_lsn) || out.global_lsn < 0)
      return bad(part, "the LSN is not a non-negative integer");
    return out;
  }
  if (!to_int(fields[0], out.version))
    return bad(part, "the version is not an integer");
  if (!to_int(fields[1], out.global_lsn) || out.global_lsn < 0)
    return bad(part, "the global LSN is not a non-negative integer");
  for (size_t i = 2; i < fields.size(); ++i) {
    auto eq = fields[i].find('=');
    int64_t region = 0;
    int64_t lsn = 0;
    if (eq == std::string_view::npos || !to_int(fields[i].substr(0, eq), region) ||
        !to_int(fields[i].substr(eq + 1), lsn))
      return bad(part, "regional LSN '" + std::string{fields[i]} + "' is not <region>=<lsn>");
    out.regional_lsns.emplace_back(region, lsn);
  }
  return out;
}

} // namespace

caf::expected<std::vector<session_token_part>> parse_session_token(std::string_view text) {
  if (text.empty())
    return make_error(ec::parse_error, "invalid session token: empty");
  std::vector<session_token_part> out;
  for (auto part : split(text, ',')) {
    auto parsed = parse_part(part);
    if (!parsed)
      return parsed.error();
    out.push_back(std::move(*parsed));
  }
  return out;
}

caf::expected<int64_t> session_token_lsn(std::string_view text) {
  if (text.find(',') != std::string_view::npos)
    return make_error(ec::parse_error, "invalid session token '" + std::string{text} +
                                           "': expected a single range, got several");
  auto parts = parse_session_token(text);
  if (!parts)
    return parts.error();
  return parts->front().global_lsn;
}

std::string to_string(const std::vector<session_token_part>& parts) {
  std::string out;
  for (const auto& part : parts) {
    if (!out.empty())
      out += ',';
    out += part.range_id;
    out += ':';
    if (part.version == -1 && part.regional_lsns.empty()) {
      out += "-1#" + std::to_string(part.global_lsn);
      continue;
    }
    out += std::to_string(part.version) + "#" + std::to_string(part.global_lsn);
    for (auto [region, lsn] : part.regional_lsns)
      out += "#" + std::to_string(region) + "=" + std::to_string(lsn);
  }
  return out;
}

caf::expected<std::string> merge_session_tokens(std::string_view lhs, std::string_view rhs) {
  if (lhs.empty())
    return std::string{rhs};
  if (rhs.empty())
    return std::string{lhs};
  auto left = parse_session_token(lhs);
  if (!left)
    return left.error();
  auto right = parse_session_token(rhs);
  if (!right)
    return right.error();
  auto merged = std::move(*left);
  for (auto& part : *right) {
    auto it = std::find_if(merged.begin(), merged.end(), [&](const session_token_part& p) {
      return p.range_id == part.range_id;
    });
    if (it == merged.end()) {
      merged.push_back(std::move(part));
    } else if (part.version > it->version) {
      *it = std::move(part);
    } else if (part.version == it->version) {
      it->global_lsn = std::max(it->global_lsn, part.global_lsn);
      for (auto [region, lsn] : part.regional_lsns) {
        // A named copy: clang before 16 cannot capture structured bindings.
        auto id = region;
        auto r = std::find_if(it->regional_lsns.begin(), it->regional_lsns.end(),
                              [&](const auto& x) { return x.first == id; });
        if (r == it->regional_lsns.end())
          it->regional_lsns.emplace_back(region, lsn);
        else
          r->second = std::max(r->second, lsn);
      }
    }
  }
  return to_string(merged);
}

} // namespace bulkd::cosmos
