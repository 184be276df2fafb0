#include "jobs/change_feed/start_position.hpp"

#include "clients/error.hpp"
#include "jobs/timestamp.hpp"

namespace bulkd {

std::string to_string(const start_position& x) {
  switch (x.kind) {
  case start_position::beginning:
    return "beginning";
  case start_position::now:
    return "now";
  case start_position::time:
    return format_rfc3339(x.at);
  }
  return "?";
}

caf::expected<start_position> parse_start_position(std::string_view text) {
  start_position out;
  if (text == "beginning") {
    out.kind = start_position::beginning;
    return out;
  }
  if (text == "now") {
    out.kind = start_position::now;
    return out;
  }
  if (auto at = parse_rfc3339(text)) {
    out.kind = start_position::time;
    out.at = *at;
    return out;
  }
  return make_error(ec::parse_error, "expected beginning, now or an RFC 3339 time, not \"" +
                                         std::string{text} + "\"");
}

start_position start_of(const lease& l, const start_position& fallback) {
  if (l.start_from.empty())
    return fallback;
  auto pos = parse_start_position(l.start_from);
  return pos ? *pos : fallback;
}

} // namespace bulkd
