#include "jobs/bulk_upsert/json_pointer.hpp"

#include "clients/error.hpp"

namespace bulkd {

caf::expected<json_pointer> parse_json_pointer(std::string_view text) {
  auto bad = [&](const std::string& why) {
    return make_error(ec::invalid_argument,
                      "invalid JSON pointer \"" + std::string{text} + "\": " + why);
  };
  if (text.empty() || text.front() != '/')
    return bad("it must start with '/'");
  json_pointer result;
  result.text = std::string{text};
  std::string segment;
  for (size_t i = 1; i <= text.size(); ++i) {
    if (i == text.size() || text[i] == '/') {
      result.segments.push_back(std::move(segment));
      segment.clear();
    } else if (text[i] == '~') {
      if (i + 1 < text.size() && (text[i + 1] == '0' || text[i + 1] == '1')) {
        segment += text[i + 1] == '0' ? '~' : '/';
        ++i;
      } else {
        return bad("'~' must be followed by 0 or 1");
      }
    } else {
      segment += text[i];
    }
  }
  return result;
}

} // namespace bulkd
