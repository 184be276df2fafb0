#include "daemon/log_format.hpp"

#include <spdlog/details/log_msg.h>

#include <array>
#include <charconv>
#include <cmath>
#include <ctime>

namespace bulkd {

namespace {

constexpr std::string_view structured_marker = "\x1f\x1e";

// Length of the valid UTF-8 sequence starting at s[i], or 0 when it is invalid.
size_t utf8_sequence(std::string_view s, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  auto c = byte(i);
  if (c < 0x80)
    return 1;
  auto cont = [&](size_t k, unsigned char lo = 0x80, unsigned char hi = 0xBF) {
    return k < s.size() && byte(k) >= lo && byte(k) <= hi;
  };
  if (c >= 0xC2 && c <= 0xDF)
    return cont(i + 1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    unsigned char lo = c == 0xE0 ? 0xA0 : 0x80;
    unsigned char hi = c == 0xED ? 0x9F : 0xBF;
    return cont(i + 1, lo, hi) && cont(i + 2) ? 3 : 0;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    unsigned char lo = c == 0xF0 ? 0x90 : 0x80;
    unsigned char hi = c == 0xF4 ? 0x8F : 0xBF;
    return cont(i + 1, lo, hi) && cont(i + 2) && cont(i + 3) ? 4 : 0;
  }
  return 0;
}

void append(spdlog::memory_buf_t& out, std::string_view s) {
  out.append(s.data(), s.data() + s.size());
}

void append_unicode_escape(spdlog::memory_buf_t& out, unsigned char c) {
  static constexpr char hex[] = "0123456789abcdef";
  char buf[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xF]};
  out.append(buf, buf + 6);
}

constexpr std::string_view replacement_char = "\xEF\xBF\xBD";

bool logfmt_needs_quotes(std::string_view v) {
  if (v.empty())
    return true;
  for (size_t i = 0; i < v.size();) {
    auto c = static_cast<unsigned char>(v[i]);
    if (c <= ' ' || c == '=' || c == '"' || c == 0x7F)
      return true;
    auto n = utf8_sequence(v, i);
    if (n == 0)
      return true;
    i += n;
  }
  return false;
}

// Writes the escaped body of a quoted string; JSON and logfmt share the rules.
void append_escaped(spdlog::memory_buf_t& out, std::string_view v, bool json) {
  for (size_t i = 0; i < v.size();) {
    auto c = static_cast<unsigned char>(v[i]);
    switch (c) {
    case '"':
      append(out, "\\\"");
      ++i;
      continue;
    case '\\':
      append(out, "\\\\");
      ++i;
      continue;
    case '\n':
      append(out, "\\n");
      ++i;
      continue;
    case '\r':
      append(out, "\\r");
      ++i;
      continue;
    case '\t':
      append(out, "\\t");
      ++i;
      continue;
    default:
      break;
    }
    if (c < 0x20 || c == 0x7F) {
      append_unicode_escape(out, c);
      ++i;
      continue;
    }
    auto n = utf8_sequence(v, i);
    if (n == 0) {
      if (json)
        append(out, "\\ufffd");
      else
        append(out, replacement_char);
      ++i;
      continue;
    }
    out.append(v.data() + i, v.data() + i + n);
    i += n;
  }
}

void append_number(spdlog::memory_buf_t& out, const auto& value) {
  std::array<char, 32> buf;
  auto [end, ec] = std::to_chars(buf.data(), buf.data() + buf.size(), value);
  if (ec == std::errc{})
    out.append(buf.data(), end);
}

struct decoded_field {
  char type;
  std::string_view key;
  std::string_view value;
};

// Reads "<len>:<bytes>" at `pos`.
bool read_chunk(std::string_view s, size_t& pos, std::string_view& chunk) {
  size_t len = 0;
  auto [end, ec] = std::from_chars(s.data() + pos, s.data() + s.size(), len);
  if (ec != std::errc{} || end == s.data() + s.size() || *end != ':')
    return false;
  pos = static_cast<size_t>(end - s.data()) + 1;
  if (len > s.size() - pos)
    return false;
  chunk = s.substr(pos, len);
  pos += len;
  return true;
}

void write_chunk(spdlog::memory_buf_t& out, std::string_view s) {
  append_number(out, s.size());
  out.push_back(':');
  append(out, s);
}

bool is_reserved_key(std::string_view key) {
  return key == "ts" || key == "level" || key == "msg" || key == "logger";
}

std::string_view level_name(spdlog::level::level_enum level) {
  switch (level) {
  case spdlog::level::trace:
    return "trace";
  case spdlog::level::debug:
    return "debug";
  case spdlog::level::info:
    return "info";
  case spdlog::level::warn:
    return "warn";
  case spdlog::level::err:
    return "error";
  case spdlog::level::critical:
    return "critical";
  default:
    return "off";
  }
}

void append_timestamp(spdlog::memory_buf_t& out, spdlog::log_clock::time_point tp) {
  using namespace std::chrono;
  auto ms = duration_cast<milliseconds>(tp.time_since_epoch()).count();
  auto secs = static_cast<time_t>(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
  auto millis = static_cast<int>(ms - static_cast<int64_t>(secs) * 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  fmt::format_to(std::back_inserter(out), "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
                 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                 millis);
}

} // namespace

void append_logfmt_key(spdlog::memory_buf_t& out, std::string_view key) {
  if (key.empty()) {
    out.push_back('_');
    return;
  }
  for (char ch : key) {
    auto c = static_cast<unsigned char>(ch);
    out.push_back(c <= ' ' || c == '=' || c == '"' || c >= 0x7F ? '_' : ch);
  }
}

void append_logfmt_value(spdlog::memory_buf_t& out, std::string_view value) {
  if (!logfmt_needs_quotes(value)) {
    append(out, value);
    return;
  }
  out.push_back('"');
  append_escaped(out, value, false);
  out.push_back('"');
}

void append_json_string(spdlog::memory_buf_t& out, std::string_view value) {
  out.push_back('"');
  append_escaped(out, value, true);
  out.push_back('"');
}

std::string logfmt_value(std::string_view value) {
  spdlog::memory_buf_t buf;
  append_logfmt_value(buf, value);
  return fmt::to_string(buf);
}

std::string json_string(std::string_view value) {
  spdlog::memory_buf_t buf;
  append_json_string(buf, value);
  return fmt::to_string(buf);
}

char append_field_value(spdlog::memory_buf_t& value, const log_field& f) {
  switch (f.type) {
  case log_field::kind::string:
    append(value, f.str);
    return 's';
  case log_field::kind::signed_int:
    append_number(value, f.i);
    return 'n';
  case log_field::kind::unsigned_int:
    append_number(value, f.u);
    return 'n';
  case log_field::kind::floating:
    if (std::isfinite(f.d)) {
      append_number(value, f.d);
      return 'n';
    }
    append(value, std::isnan(f.d) ? "NaN" : (f.d > 0 ? "+Inf" : "-Inf"));
    return 's';
  case log_field::kind::boolean:
    append(value, f.b ? "true" : "false");
    return 'b';
  }
  return 's';
}

void encode_structured(spdlog::memory_buf_t& out, std::string_view msg, log_fields fields) {
  append(out, structured_marker);
  write_chunk(out, msg);
  for (const auto& f : fields) {
    spdlog::memory_buf_t value;
    char type = append_field_value(value, f);
    out.push_back(type);
    write_chunk(out, f.key);
    write_chunk(out, std::string_view{value.data(), value.size()});
  }
}

structured_formatter::structured_formatter(std::shared_ptr<std::atomic<log_format>> format)
    : format_(std::move(format)) {}

std::unique_ptr<spdlog::formatter> structured_formatter::clone() const {
  return std::make_unique<structured_formatter>(format_);
}

void structured_formatter::format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) {
  std::string_view payload{msg.payload.data(), msg.payload.size()};
  std::string_view text = payload;
  // Fields stay views into the payload; a small fixed array covers every real call, more are cut.
  std::array<decoded_field, 32> fields;
  size_t nfields = 0;
  if (payload.starts_with(structured_marker)) {
    size_t pos = structured_marker.size();
    std::string_view decoded_msg;
    bool ok = read_chunk(payload, pos, decoded_msg);
    size_t n = 0;
    while (ok && pos < payload.size()) {
      decoded_field f;
      f.type = payload[pos++];
      ok = (f.type == 's' || f.type == 'n' || f.type == 'b') && read_chunk(payload, pos, f.key) &&
           read_chunk(payload, pos, f.value);
      if (ok && n < fields.size())
        fields[n++] = f;
    }
    if (ok) {
      text = decoded_msg;
      nfields = n;
    }
  }
  std::string_view logger{msg.logger_name.data(), msg.logger_name.size()};
  if (format_->load(std::memory_order_relaxed) == log_format::json) {
    append(dest, "{\"ts\":\"");
    append_timestamp(dest, msg.time);
    append(dest, "\",\"level\":\"");
    append(dest, level_name(msg.level));
    append(dest, "\",\"msg\":");
    append_json_string(dest, text);
    if (!logger.empty()) {
      append(dest, ",\"logger\":");
      append_json_string(dest, logger);
    }
    for (size_t i = 0; i < nfields; ++i) {
      const auto& f = fields[i];
      dest.push_back(',');
      if (is_reserved_key(f.key)) {
        spdlog::memory_buf_t key;
        key.push_back('_');
        append(key, f.key);
        append_json_string(dest, std::string_view{key.data(), key.size()});
      } else {
        append_json_string(dest, f.key);
      }
      dest.push_back(':');
      if (f.type == 's')
        append_json_string(dest, f.value);
      else
        append(dest, f.value);
    }
    append(dest, "}\n");
    return;
  }
  append(dest, "ts=");
  append_timestamp(dest, msg.time);
  append(dest, " level=");
  append(dest, level_name(msg.level));
  append(dest, " msg=");
  append_logfmt_value(dest, text);
  if (!logger.empty()) {
    append(dest, " logger=");
    append_logfmt_value(dest, logger);
  }
  for (size_t i = 0; i < nfields; ++i) {
    const auto& f = fields[i];
    dest.push_back(' ');
    if (is_reserved_key(f.key))
      dest.push_back('_');
    append_logfmt_key(dest, f.key);
    dest.push_back('=');
    append_logfmt_value(dest, f.value);
  }
  dest.push_back('\n');
}

} // namespace bulkd
