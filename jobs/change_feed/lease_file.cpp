#include "jobs/change_feed/lease_file.hpp"

#include "clients/error.hpp"
#include "jobs/atomic_file.hpp"

#include <caf/message.hpp>
#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

namespace bulkd {

namespace {

// The text of a bulkd error without its "parse_error: " head.
std::string message_of(const caf::error& err) {
  if (err.context().match_elements<std::string>())
    return err.context().get_as<std::string>(0);
  return render(err);
}

} // namespace

std::filesystem::path lease_file_path(const std::filesystem::path& state_dir,
                                      std::string_view job) {
  return state_dir / "leases" / (std::string{job} + ".json");
}

std::string to_json(const lease_file& file) {
  std::string out = "{\"version\":" + std::to_string(lease_file_version) +
                    ",\"etag_counter\":" + std::to_string(file.etag_counter) + ",\"leases\":[";
  for (size_t i = 0; i < file.leases.size(); ++i) {
    out += i == 0 ? "\n" : ",\n";
    out += to_json(file.leases[i], true);
  }
  out += "]}\n";
  return out;
}

caf::expected<lease_file> parse_lease_file(std::string_view text) {
  auto doc = nlohmann::json::parse(text, nullptr, false);
  if (doc.is_discarded())
    return make_error(ec::parse_error, "not JSON");
  if (!doc.is_object())
    return make_error(ec::parse_error, "must be a JSON object");
  auto version = doc.find("version");
  if (version == doc.end() || !version->is_number_integer())
    return make_error(ec::parse_error, "\"version\" is missing or not an integer");
  if (*version != lease_file_version)
    return make_error(ec::parse_error, "version " + version->dump() + " is not supported (only " +
                                           std::to_string(lease_file_version) + ")");
  lease_file out;
  auto counter = doc.find("etag_counter");
  if (counter == doc.end() || !counter->is_number_unsigned())
    return make_error(ec::parse_error, "\"etag_counter\" is missing or not a non-negative integer");
  out.etag_counter = counter->get<uint64_t>();
  auto leases = doc.find("leases");
  if (leases == doc.end() || !leases->is_array())
    return make_error(ec::parse_error, "\"leases\" is missing or not an array");
  std::set<std::string> tokens;
  for (size_t i = 0; i < leases->size(); ++i) {
    auto where = "leases[" + std::to_string(i) + "]";
    auto l = parse_lease((*leases)[i].dump());
    if (!l)
      return make_error(ec::parse_error, where + ": " + message_of(l.error()));
    if (!tokens.insert(l->range.token).second)
      return make_error(ec::parse_error, where + ": a second lease for range " + l->range.token);
    out.leases.push_back(std::move(*l));
  }
  return out;
}

caf::expected<lease_file> load_lease_file(const std::filesystem::path& file) {
  std::ifstream in{file, std::ios::binary};
  if (!in) {
    if (errno == ENOENT)
      return lease_file{};
    return make_error(ec::io_error,
                      "leases file " + file.string() + ": cannot open: " + std::strerror(errno));
  }
  std::stringstream ss;
  ss << in.rdbuf();
  if (in.bad())
    return make_error(ec::io_error, "leases file " + file.string() + ": cannot read");
  auto parsed = parse_lease_file(ss.str());
  if (!parsed)
    return make_error(ec::parse_error,
                      "leases file " + file.string() + ": " + message_of(parsed.error()));
  return parsed;
}

caf::error save_lease_file(const std::filesystem::path& file, const lease_file& content) {
  return write_file_atomically(file, to_json(content));
}

} // namespace bulkd
