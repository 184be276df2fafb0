#pragma once

// Takes the captured HTTP messages of captures.hpp apart for the tests.

#include "clients/http_headers.hpp"
#include "clients/http_response.hpp"

#include <string>
#include <string_view>

namespace capture {

struct message {
  std::string start_line;
  bulkd::http_headers headers;
  std::string body;
};

inline message parse(std::string_view text) {
  message out;
  auto head_end = text.find("\n\n");
  auto head = text.substr(0, head_end);
  out.body = std::string{head_end == std::string_view::npos ? "" : text.substr(head_end + 2)};
  size_t pos = 0;
  bool first = true;
  while (pos <= head.size()) {
    auto end = head.find('\n', pos);
    if (end == std::string_view::npos)
      end = head.size();
    auto line = head.substr(pos, end - pos);
    pos = end + 1;
    if (first) {
      out.start_line = std::string{line};
      first = false;
      continue;
    }
    auto colon = line.find(':');
    auto value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ')
      value.remove_prefix(1);
    while (!value.empty() && value.back() == ' ')
      value.remove_suffix(1);
    out.headers.add(std::string{line.substr(0, colon)}, std::string{value});
  }
  return out;
}

/// "GET /dbs/capdb HTTP/1.1" -> method and target.
inline std::pair<std::string, std::string> request_line(const message& m) {
  auto sp1 = m.start_line.find(' ');
  auto sp2 = m.start_line.find(' ', sp1 + 1);
  return {m.start_line.substr(0, sp1), m.start_line.substr(sp1 + 1, sp2 - sp1 - 1)};
}

inline bulkd::http_response response(std::string_view text) {
  auto m = parse(text);
  bulkd::http_response out;
  out.status = std::stoi(m.start_line.substr(m.start_line.find(' ') + 1, 3));
  out.headers = std::move(m.headers);
  out.body = std::move(m.body);
  return out;
}

} // namespace capture
