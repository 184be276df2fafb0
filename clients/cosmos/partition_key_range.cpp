#include "clients/cosmos/partition_key_range.hpp"

#include "clients/cosmos/json_body.hpp"

#include <cctype>

namespace bulkd::cosmos {

namespace {

constexpr std::string_view what = "partition key ranges";

// Ids are strings; a number is taken as its decimal text.
bool read_id(const nlohmann::json& value, std::string& out) {
  if (value.is_string()) {
    out = value.get<std::string>();
    return !out.empty();
  }
  if (value.is_number_unsigned() || value.is_number_integer()) {
    out = std::to_string(value.get<int64_t>());
    return true;
  }
  return false;
}

bool is_hex(const std::string& text) {
  for (char c : text)
    if (!std::isxdigit(static_cast<unsigned char>(c)))
      return false;
  return true;
}

caf::expected<partition_key_range> read_range(const nlohmann::json& json, size_t index) {
  auto where = "PartitionKeyRanges[" + std::to_string(index) + "]";
  if (!json.is_object())
    return detail::bad_body(what, detail::wrong_type(where, "an object", json));
  partition_key_range out;
  auto id = json.find("id");
  if (id == json.end())
    return detail::bad_body(what, where + ": 'id' is missing");
  if (!read_id(*id, out.id))
    return detail::bad_body(what, where + ": 'id' must be a non-empty string or an integer, got " +
                                      detail::json_type(*id));
  where += " (id " + out.id + ")";
  for (auto [field, target] : {std::pair{"minInclusive", &out.min_inclusive},
                               std::pair{"maxExclusive", &out.max_exclusive}}) {
    auto it = json.find(field);
    if (it == json.end())
      return detail::bad_body(what, where + ": '" + field + "' is missing");
    if (!it->is_string())
      return detail::bad_body(what, where + ": " + detail::wrong_type(field, "a string", *it));
    *target = it->get<std::string>();
    if (!is_hex(*target))
      return detail::bad_body(what,
                              where + ": '" + field + "' is not a hex EPK: '" + *target + "'");
  }
  if (auto parents = json.find("parents"); parents != json.end() && !parents->is_null()) {
    if (!parents->is_array())
      return detail::bad_body(what,
                              where + ": " + detail::wrong_type("parents", "an array", *parents));
    for (const auto& parent : *parents) {
      std::string pid;
      if (!read_id(parent, pid))
        return detail::bad_body(what, where + ": 'parents' holds a " + detail::json_type(parent) +
                                          ", expected range ids");
      out.parents.push_back(std::move(pid));
    }
  }
  if (auto status = json.find("status"); status != json.end() && status->is_string())
    out.status = status->get<std::string>();
  return out;
}

} // namespace

caf::expected<pkranges_response> parse_pkranges(const http_response& response) {
  pkranges_response out;
  out.etag = response.headers.value("etag");
  if (response.status == 304) {
    out.not_modified = true;
    return out;
  }
  if (response.status != 200)
    return detail::bad_body(what, "unexpected HTTP status " + std::to_string(response.status));
  auto json = detail::parse_json_body(response.body, what);
  if (!json)
    return json.error();
  if (!json->is_object())
    return detail::bad_body(what, "expected a JSON object, got " + detail::json_type(*json));
  if (auto rid = json->find("_rid"); rid != json->end() && rid->is_string())
    out.collection_rid = rid->get<std::string>();
  auto ranges = json->find("PartitionKeyRanges");
  if (ranges == json->end())
    return detail::bad_body(what, "'PartitionKeyRanges' is missing");
  if (!ranges->is_array())
    return detail::bad_body(what, detail::wrong_type("PartitionKeyRanges", "an array", *ranges));
  size_t index = 0;
  for (const auto& entry : *ranges) {
    auto range = read_range(entry, index++);
    if (!range)
      return range.error();
    out.ranges.push_back(std::move(*range));
  }
  if (auto count = json->find("_count"); count != json->end()) {
    if (!count->is_number_integer())
      return detail::bad_body(what, detail::wrong_type("_count", "an integer", *count));
    if (count->get<int64_t>() != static_cast<int64_t>(out.ranges.size()))
      return detail::bad_body(what, "'_count' is " + std::to_string(count->get<int64_t>()) +
                                        " but the body holds " + std::to_string(out.ranges.size()) +
                                        " ranges");
  }
  return out;
}

} // namespace bulkd::cosmos
