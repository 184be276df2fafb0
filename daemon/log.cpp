#include "daemon/log.hpp"

#include "daemon/log_format.hpp"

#include <spdlog/logger.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <memory>
#include <mutex>

namespace bulkd {

namespace {

struct logging_state {
  std::mutex mtx;
  std::shared_ptr<std::atomic<log_format>> format =
      std::make_shared<std::atomic<log_format>>(log_format::logfmt);
  // Set once our formatter is installed; before that write() renders fields as plain text.
  std::atomic<bool> configured{false};
};

logging_state& state() {
  static logging_state instance;
  return instance;
}

void install(spdlog::sink_ptr sink, spdlog::level::level_enum level, log_format format) {
  auto& st = state();
  std::lock_guard guard{st.mtx};
  st.format->store(format);
  auto logger = std::make_shared<spdlog::logger>("", std::move(sink));
  spdlog::set_default_logger(logger);
  // Applies to every registered logger and to loggers created later.
  spdlog::set_formatter(std::make_unique<structured_formatter>(st.format));
  spdlog::set_level(level);
  st.configured = true;
}

} // namespace

spdlog::level::level_enum to_spdlog_level(log_level level) {
  switch (level) {
  case log_level::trace:
    return spdlog::level::trace;
  case log_level::debug:
    return spdlog::level::debug;
  case log_level::info:
    return spdlog::level::info;
  case log_level::warn:
    return spdlog::level::warn;
  case log_level::error:
    return spdlog::level::err;
  }
  return spdlog::level::info;
}

caf::expected<log_format> parse_log_format(std::string_view text) {
  if (text == "logfmt")
    return log_format::logfmt;
  if (text == "json")
    return log_format::json;
  return make_error(ec::invalid_argument,
                    "unknown log format '" + std::string{text} + "' (expected logfmt or json)");
}

caf::expected<spdlog::level::level_enum> parse_log_level(std::string_view text) {
  using spdlog::level::level_enum;
  if (text == "trace")
    return level_enum::trace;
  if (text == "debug")
    return level_enum::debug;
  if (text == "info")
    return level_enum::info;
  if (text == "warn" || text == "warning")
    return level_enum::warn;
  if (text == "error")
    return level_enum::err;
  if (text == "critical")
    return level_enum::critical;
  if (text == "off")
    return level_enum::off;
  return make_error(ec::invalid_argument,
                    "unknown log level '" + std::string{text} +
                        "' (expected trace, debug, info, warn, error, critical or off)");
}

void configure_logging(spdlog::level::level_enum level, log_format format) {
  install(std::make_shared<spdlog::sinks::stderr_sink_mt>(), level, format);
}

void configure_logging(spdlog::level::level_enum level, log_format format, std::ostream& out) {
  install(std::make_shared<spdlog::sinks::ostream_sink_mt>(out, true), level, format);
}

void set_log_level(spdlog::level::level_enum level) {
  spdlog::set_level(level);
}

void set_log_format(log_format format) {
  state().format->store(format);
}

namespace log {

void write(spdlog::level::level_enum level, std::string_view msg, log_fields fields) {
  auto* logger = spdlog::default_logger_raw();
  if (!logger->should_log(level))
    return;
  spdlog::memory_buf_t payload;
  if (state().configured.load(std::memory_order_acquire)) {
    encode_structured(payload, msg, fields);
  } else {
    payload.append(msg.data(), msg.data() + msg.size());
    for (const auto& f : fields) {
      payload.push_back(' ');
      payload.append(f.key.data(), f.key.data() + f.key.size());
      payload.push_back('=');
      append_field_value(payload, f);
    }
  }
  logger->log(level, spdlog::string_view_t{payload.data(), payload.size()});
}

} // namespace log

} // namespace bulkd
