#include "emulator/cosmos/range_split.hpp"

#include "clients/cosmos/epk_hash.hpp"
#include "clients/cosmos/epk_range.hpp"
#include "clients/cosmos/error_message.hpp"
#include "clients/error.hpp"
#include "emulator/cosmos/cosmos_service.hpp"
#include "emulator/cosmos/document_keys.hpp"
#include "emulator/cosmos/error_response.hpp"

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <cctype>

namespace bulkd::emulator::cosmos {

namespace {

namespace proto = bulkd::cosmos;
using u128 = unsigned __int128;

constexpr u128 v2_space = u128{1} << 126; // V2 hashes have their top two bits cleared
constexpr uint64_t v1_space = uint64_t{1} << 32;

bool is_max(const std::string& bound) {
  return proto::compare_epk(bound, proto::max_epk) == 0;
}

int hex_digit(char c) {
  c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

// The first 32 hex digits of a V2 bound as a number (missing digits are zeros).
bool v2_value(const std::string& bound, u128& out) {
  if (is_max(bound)) {
    out = v2_space;
    return true;
  }
  out = 0;
  for (size_t i = 0; i < 32; ++i) {
    int d = i < bound.size() ? hex_digit(bound[i]) : 0;
    if (d < 0)
      return false;
    out = out << 4 | static_cast<u128>(d);
  }
  return true;
}

std::string v2_text(u128 value) {
  static const char digits[] = "0123456789ABCDEF";
  std::string out(32, '0');
  for (int i = 31; i >= 0; --i) {
    out[static_cast<size_t>(i)] = digits[static_cast<unsigned>(value & 0xF)];
    value >>= 4;
  }
  return out;
}

std::string v1_text(uint64_t hash) {
  return proto::to_hex(proto::encode_number_v1(static_cast<double>(hash)));
}

// The smallest 32-bit hash value whose V1 encoding is at or above `bound`.
uint64_t v1_value(const std::string& bound) {
  if (bound.empty())
    return 0;
  if (is_max(bound))
    return v1_space;
  uint64_t lo = 0;
  uint64_t hi = v1_space;
  while (lo < hi) {
    auto mid = lo + (hi - lo) / 2;
    if (proto::compare_epk(v1_text(mid), bound) >= 0)
      hi = mid;
    else
      lo = mid + 1;
  }
  return lo;
}

caf::error too_narrow(const std::string& min, const std::string& max) {
  return make_error(ec::invalid_argument,
                    "the range [\"" + min + "\", \"" + max + "\") is too narrow to split");
}

nlohmann::json range_json(const range_record& r) {
  return {{"id", r.id},           {"minInclusive", r.min}, {"maxExclusive", r.max},
          {"parents", r.parents}, {"status", "online"},    {"_lsn", r.lsn}};
}

std::string join_ids(const std::vector<range_record>& ranges) {
  std::string out;
  for (const auto& r : ranges)
    out += (out.empty() ? "" : ", ") + r.id;
  return out.empty() ? "none" : out;
}

} // namespace

caf::expected<std::string> epk_midpoint(const std::string& min, const std::string& max,
                                        int hash_version) {
  std::string at;
  if (hash_version == 2) {
    u128 lo = 0;
    u128 hi = 0;
    if (!v2_value(min, lo) || !v2_value(max, hi))
      return make_error(ec::invalid_argument,
                        "the range [\"" + min + "\", \"" + max + "\") has a bound that is not hex");
    if (hi <= lo || hi - lo < 2)
      return too_narrow(min, max);
    at = v2_text(lo + (hi - lo) / 2);
  } else if (hash_version == 1) {
    auto lo = v1_value(min);
    auto hi = v1_value(max);
    if (hi <= lo || hi - lo < 2)
      return too_narrow(min, max);
    at = v1_text(lo + (hi - lo) / 2);
  } else {
    return make_error(ec::invalid_argument,
                      "unsupported hash version " + std::to_string(hash_version));
  }
  // Bounds that are not on the hash grid (longer than 32 digits, say) could put the cut outside.
  if (proto::compare_epk(min, at) >= 0 || proto::compare_epk(at, max) >= 0)
    return too_narrow(min, max);
  return at;
}

void handle_split(cosmos_service& service, const httplib::Request& req, httplib::Response& res) {
  res.set_header("x-ms-request-charge", "0");
  auto body = nlohmann::json::parse(req.body, nullptr, false);
  auto text = [&](const char* name) -> std::optional<std::string> {
    if (!body.is_object() || !body.contains(name))
      return std::nullopt;
    const auto& v = body[name];
    if (v.is_string() && !v.get<std::string>().empty())
      return v.get<std::string>();
    if (v.is_number_unsigned())
      return std::to_string(v.get<uint64_t>());
    return std::nullopt;
  };
  auto db_id = text("db");
  auto coll_id = text("coll");
  auto range_id = text("range");
  if (!db_id || !coll_id || !range_id)
    return write_error(res, 400,
                       "The split request body must be a JSON object like "
                       "{\"db\":\"db1\",\"coll\":\"c1\",\"range\":\"0\"} (range: the id of a "
                       "current partition key range)");
  auto& data = service.data();
  auto db = data.database(*db_id);
  if (!db)
    return write_error(res, 500,
                       "The emulator's store failed: " + proto::error_message(db.error()));
  if (!*db)
    return write_error(res, 404, "Database '" + *db_id + "' not found");
  auto coll = data.container((*db)->number, *coll_id);
  if (!coll)
    return write_error(res, 500,
                       "The emulator's store failed: " + proto::error_message(coll.error()));
  if (!*coll)
    return write_error(res, 404,
                       "Container '" + *coll_id + "' not found in database '" + *db_id + "'");
  // The cut, when the range is online; otherwise the store tells unknown from split already.
  std::string at;
  for (const auto& r : (*coll)->ranges) {
    if (r.id != *range_id)
      continue;
    auto def = key_definition(**coll);
    if (!def)
      return write_error(res, 500, proto::error_message(def.error()));
    auto mid = epk_midpoint(r.min, r.max, def->version);
    if (!mid)
      return write_error(res, 400,
                         "Cannot split partition key range '" + r.id +
                             "': " + proto::error_message(mid.error()));
    at = std::move(*mid);
  }
  auto out = data.split_range((*coll)->key, *range_id, at);
  if (!out)
    return write_error(res, 500,
                       "The emulator's store failed: " + proto::error_message(out.error()));
  switch (out->status) {
  case 200:
    break;
  case 404:
    return write_error(res, 404,
                       "Container '" + *coll_id + "' has no partition key range '" + *range_id +
                           "' (current ranges: " + join_ids((*coll)->ranges) + ")");
  case 410:
    return write_error(res, 400,
                       "The partition key range '" + *range_id +
                           "' was split already; its current descendants are " +
                           join_ids(out->children));
  default:
    return write_error(res, 400,
                       "Cannot split partition key range '" + *range_id +
                           "': it changed while the split was prepared; retry");
  }
  auto children = nlohmann::json::array();
  for (size_t i = 0; i < out->children.size(); ++i) {
    auto child = range_json(out->children[i]);
    child["documents"] = i < out->moved.size() ? out->moved[i] : 0;
    children.push_back(std::move(child));
  }
  nlohmann::json answer{{"db", *db_id},
                        {"coll", *coll_id},
                        {"parent",
                         {{"id", out->parent.id},
                          {"minInclusive", out->parent.min},
                          {"maxExclusive", out->parent.max},
                          {"_lsn", out->parent.lsn}}},
                        {"children", children},
                        {"topology", out->topology}};
  res.status = 200;
  res.set_content(answer.dump(), "application/json");
}

} // namespace bulkd::emulator::cosmos
