#include "jobs/change_feed/feed_dead_letter.hpp"

#include <nlohmann/json.hpp>

namespace bulkd {

std::string feed_dead_letter_line(const change_batch& batch, std::string_view error, utc_time at) {
  auto documents = nlohmann::ordered_json::array();
  for (auto& doc : batch.documents) {
    auto parsed = nlohmann::ordered_json::parse(doc, nullptr, false);
    documents.push_back(parsed.is_discarded() ? nlohmann::ordered_json(doc) : std::move(parsed));
  }
  nlohmann::ordered_json line{{"time", format_rfc3339(at)},
                              {"job", batch.job},
                              {"range", batch.range_id},
                              {"sequence", batch.sequence},
                              {"continuation", batch.continuation},
                              {"error", std::string{error}},
                              {"documents", std::move(documents)}};
  return line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

} // namespace bulkd
