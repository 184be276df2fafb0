#pragma once

// Helpers shared by the libFuzzer targets: picking a parser with the first byte, building an
// http_response from text, and failing loudly when a property does not hold.
//
// Responses are written as text so that seeds stay readable and the fuzzer can mutate every part:
//
//   200
//   x-ms-session-token: 0:1#12
//   etag: "12"
//
//   {"Documents":[...]}
//
// The first line is the status (200 when it does not parse), then header lines up to an empty
// line, then the body (everything after it, byte for byte).

#include "clients/http_response.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace bulkd::fuzz {

/// The input without its first byte, and that byte (0 when the input is empty).
struct selected {
  uint8_t selector = 0;
  std::string_view rest;
};

inline selected select(const uint8_t* data, size_t size) {
  if (size == 0)
    return {};
  return {data[0], {reinterpret_cast<const char*>(data) + 1, size - 1}};
}

/// Splits off the first line (without its '\n' and a '\r' before it).
inline std::string_view take_line(std::string_view& text) {
  auto nl = text.find('\n');
  auto line = text.substr(0, nl);
  text = nl == std::string_view::npos ? std::string_view{} : text.substr(nl + 1);
  if (!line.empty() && line.back() == '\r')
    line.remove_suffix(1);
  return line;
}

inline std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t'))
    s.remove_suffix(1);
  return s;
}

inline int parse_status(std::string_view line) {
  int status = 0;
  size_t digits = 0;
  for (char c : line) {
    if (c < '0' || c > '9' || digits == 3)
      break;
    status = status * 10 + (c - '0');
    ++digits;
  }
  return digits == 0 ? 200 : status;
}

/// Reads header lines ("name: value") up to an empty line or the end of `text` into `out` and
/// leaves the rest in `text`. A line without ':' is a header with an empty value.
template <class Add>
void take_headers(std::string_view& text, Add add) {
  while (!text.empty()) {
    auto line = take_line(text);
    if (line.empty())
      break;
    auto colon = line.find(':');
    if (colon == std::string_view::npos)
      add(std::string{trim(line)}, std::string{});
    else
      add(std::string{trim(line.substr(0, colon))}, std::string{trim(line.substr(colon + 1))});
  }
}

inline http_response response_from(std::string_view text) {
  http_response resp;
  resp.status = parse_status(take_line(text));
  take_headers(text, [&](std::string name, std::string value) {
    resp.headers.add(std::move(name), std::move(value));
  });
  resp.body = std::string{text};
  return resp;
}

/// Aborts (a crash for libFuzzer) when a property of the code under test does not hold.
#define BULKD_FUZZ_CHECK(cond)                                                                     \
  do {                                                                                             \
    if (!(cond)) {                                                                                 \
      std::fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond);                \
      std::abort();                                                                                \
    }                                                                                              \
  } while (false)

} // namespace bulkd::fuzz
