#include "jobs/change_feed/lease.hpp"

#include "clients/error.hpp"
#include "jobs/change_feed/start_position.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace bulkd {

namespace {

using json = nlohmann::json;

caf::error field_error(std::string_view field, std::string_view what) {
  return make_error(ec::parse_error, "lease: \"" + std::string{field} + "\" " + std::string{what});
}

// A required string field.
caf::expected<std::string> required_string(const json& obj, std::string_view field) {
  auto i = obj.find(field);
  if (i == obj.end())
    return field_error(field, "is missing");
  if (!i->is_string())
    return field_error(field, std::string{"must be a string, not "} + i->type_name());
  return i->get<std::string>();
}

// An optional string field: absent or null is "".
caf::expected<std::string> optional_string(const json& obj, std::string_view field) {
  auto i = obj.find(field);
  if (i == obj.end() || i->is_null())
    return std::string{};
  if (!i->is_string())
    return field_error(field, std::string{"must be a string or null, not "} + i->type_name());
  return i->get<std::string>();
}

caf::error parse_feed_range(const json& obj, lease_range& out) {
  auto i = obj.find("FeedRange");
  if (i == obj.end())
    return field_error("FeedRange", "is missing");
  if (!i->is_object())
    return field_error("FeedRange", std::string{"must be an object, not "} + i->type_name());
  auto r = i->find("Range");
  if (r == i->end() || !r->is_object())
    return field_error("FeedRange", "must hold a \"Range\" object {\"min\":...,\"max\":...}");
  auto min = required_string(*r, "min");
  if (!min)
    return field_error("FeedRange.Range.min", "must be a string");
  auto max = required_string(*r, "max");
  if (!max)
    return field_error("FeedRange.Range.max", "must be a string");
  if (cosmos::epk_range{*min, *max}.empty())
    return field_error("FeedRange",
                       "is empty: min \"" + *min + "\" is not below max \"" + *max + "\"");
  out.min = std::move(*min);
  out.max = std::move(*max);
  return caf::none;
}

} // namespace

std::string lease_id(std::string_view prefix, std::string_view token) {
  std::string out{prefix};
  out += "..";
  out += token;
  return out;
}

std::string lease_prefix(std::string_view job, std::string_view database,
                         std::string_view container) {
  std::string out{job};
  out += '.';
  out += database;
  out += '.';
  out += container;
  return out;
}

std::string to_json(const lease& l, bool with_etag) {
  nlohmann::ordered_json obj;
  obj["id"] = l.id;
  obj["LeaseToken"] = l.range.token;
  obj["FeedRange"] = {{"Range", {{"min", l.range.min}, {"max", l.range.max}}}};
  obj["Owner"] = l.owner;
  if (l.continuation.empty())
    obj["ContinuationToken"] = nullptr;
  else
    obj["ContinuationToken"] = l.continuation;
  obj["timestamp"] = format_rfc3339(l.timestamp);
  if (!l.parent.empty())
    obj["Parent"] = l.parent;
  if (!l.start_from.empty())
    obj["StartFrom"] = l.start_from;
  if (with_etag)
    obj["_etag"] = l.etag;
  return obj.dump();
}

caf::expected<lease> parse_lease(std::string_view json_text) {
  auto obj = json::parse(json_text, nullptr, false);
  if (obj.is_discarded())
    return make_error(ec::parse_error, "lease: not JSON");
  if (!obj.is_object())
    return make_error(ec::parse_error,
                      std::string{"lease: must be a JSON object, not "} + obj.type_name());
  lease out;
  auto id = required_string(obj, "id");
  if (!id)
    return id.error();
  if (id->empty())
    return field_error("id", "is empty");
  out.id = std::move(*id);
  auto token = required_string(obj, "LeaseToken");
  if (!token)
    return token.error();
  if (token->empty())
    return field_error("LeaseToken", "is empty");
  out.range.token = std::move(*token);
  if (auto err = parse_feed_range(obj, out.range))
    return err;
  auto owner = optional_string(obj, "Owner");
  if (!owner)
    return owner.error();
  out.owner = std::move(*owner);
  auto continuation = optional_string(obj, "ContinuationToken");
  if (!continuation)
    return continuation.error();
  out.continuation = std::move(*continuation);
  auto stamp = required_string(obj, "timestamp");
  if (!stamp)
    return stamp.error();
  auto t = parse_rfc3339(*stamp);
  if (!t)
    return field_error("timestamp", "is not an RFC 3339 time: \"" + *stamp + "\"");
  out.timestamp = *t;
  auto parent = optional_string(obj, "Parent");
  if (!parent)
    return parent.error();
  out.parent = std::move(*parent);
  auto start_from = optional_string(obj, "StartFrom");
  if (!start_from)
    return start_from.error();
  if (!start_from->empty())
    if (auto pos = parse_start_position(*start_from); !pos)
      return field_error("StartFrom",
                         "is not beginning, now or an RFC 3339 time: \"" + *start_from + "\"");
  out.start_from = std::move(*start_from);
  auto etag = optional_string(obj, "_etag");
  if (!etag)
    return etag.error();
  out.etag = std::move(*etag);
  return out;
}

std::vector<lease_range> missing_ranges(const std::vector<lease>& existing,
                                        const std::vector<lease_range>& wanted) {
  std::vector<lease_range> out;
  for (auto& range : wanted) {
    auto covered = std::any_of(existing.begin(), existing.end(), [&](const lease& l) {
      return l.range.token == range.token || l.range.epk().overlaps(range.epk());
    });
    if (!covered)
      out.push_back(range);
  }
  return out;
}

} // namespace bulkd
