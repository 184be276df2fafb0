#pragma once

// Logging setup of the daemon and structured log calls.
//
// Every layer logs through spdlog; the daemon installs one stderr logger whose formatter writes one
// line per record, either logfmt or JSON (journald-friendly: no colors, one record per line, UTC
// timestamps with milliseconds). Plain spdlog calls carry only a message; bulkd::log::info() and
// its siblings add key=value fields:
//
//   bulkd::log::info("batch written", {{"job", name}, {"docs", 100}, {"ru", 512.5}});
//   -> ts=2026-11-21T13:04:05.123Z level=info msg="batch written" job=load-products docs=100
//   ru=512.5

#include "clients/error.hpp"
#include "jobs/daemon_config.hpp" // log_level, log_format (bulkd.yaml's log: section)

#include <spdlog/common.h>

#include <concepts>
#include <cstdint>
#include <initializer_list>
#include <iosfwd>
#include <string>
#include <string_view>

namespace bulkd {

/// The spdlog level of a bulkd.yaml log level.
spdlog::level::level_enum to_spdlog_level(log_level level);

/// Parses "logfmt" or "json".
caf::expected<log_format> parse_log_format(std::string_view text);

/// Parses trace, debug, info, warn (or warning), error, critical, off.
caf::expected<spdlog::level::level_enum> parse_log_level(std::string_view text);

/// Makes a stderr logger with the structured formatter spdlog's default logger and sets the level
/// of every logger. Call once at startup, before other threads log (spdlog's default logger swap is
/// not synchronized); later changes go through set_log_level() / set_log_format().
void configure_logging(spdlog::level::level_enum level, log_format format);

/// Same, writing to `out` instead of stderr (tests). `out` must outlive the logger.
void configure_logging(spdlog::level::level_enum level, log_format format, std::ostream& out);

/// Thread-safe changes of the configured logger, e.g. on reload.
void set_log_level(spdlog::level::level_enum level);
void set_log_format(log_format format);

/// One key=value pair of a structured log record. Holds views: build it in the log call's argument
/// list, never store it.
struct log_field {
  enum class kind : uint8_t { string, signed_int, unsigned_int, floating, boolean };

  log_field(std::string_view k, std::string_view v) : key(k), type(kind::string), str(v) {}
  log_field(std::string_view k, const char* v) : key(k), type(kind::string), str(v ? v : "") {}
  log_field(std::string_view k, const std::string& v) : key(k), type(kind::string), str(v) {}
  log_field(std::string_view k, bool v) : key(k), type(kind::boolean), b(v) {}
  log_field(std::string_view k, double v) : key(k), type(kind::floating), d(v) {}
  log_field(std::string_view k, float v) : key(k), type(kind::floating), d(v) {}
  template <std::signed_integral T>
  log_field(std::string_view k, T v) : key(k), type(kind::signed_int), i(v) {}
  template <std::unsigned_integral T>
  requires(!std::same_as<T, bool>) log_field(std::string_view k, T v)
      : key(k), type(kind::unsigned_int), u(v) {}

  std::string_view key;
  kind type;
  std::string_view str;
  union {
    int64_t i = 0;
    uint64_t u;
    double d;
    bool b;
  };
};

using log_fields = std::initializer_list<log_field>;

namespace log {

/// Logs `msg` with `fields` on spdlog's default logger when `level` is enabled.
void write(spdlog::level::level_enum level, std::string_view msg, log_fields fields = {});

inline void trace(std::string_view msg, log_fields fields = {}) {
  write(spdlog::level::trace, msg, fields);
}
inline void debug(std::string_view msg, log_fields fields = {}) {
  write(spdlog::level::debug, msg, fields);
}
inline void info(std::string_view msg, log_fields fields = {}) {
  write(spdlog::level::info, msg, fields);
}
inline void warn(std::string_view msg, log_fields fields = {}) {
  write(spdlog::level::warn, msg, fields);
}
inline void error(std::string_view msg, log_fields fields = {}) {
  write(spdlog::level::err, msg, fields);
}

} // namespace log

} // namespace bulkd
