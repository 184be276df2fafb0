#pragma once

// The pieces behind daemon/log.hpp: escaping for logfmt and JSON, the encoding that carries
// structured fields through spdlog's message payload, and the spdlog formatter writing the lines.

#include "daemon/log.hpp"

#include <spdlog/formatter.h>

#include <atomic>
#include <memory>
#include <string>
#include <string_view>

namespace bulkd {

/// Appends `key` as a logfmt key: bytes that would break the pair (space, '=', '"', control bytes,
/// non-ASCII) become '_'; an empty key becomes "_".
void append_logfmt_key(spdlog::memory_buf_t& out, std::string_view key);

/// Appends `value` as a logfmt value, quoted when empty or containing a space, '=', '"', a control
/// byte or invalid UTF-8. Quoted values escape \\ \" \n \r \t, other control bytes as \u00XX and
/// invalid UTF-8 as U+FFFD.
void append_logfmt_value(spdlog::memory_buf_t& out, std::string_view value);

/// Appends `value` as a JSON string (with quotes); invalid UTF-8 becomes \ufffd.
void append_json_string(spdlog::memory_buf_t& out, std::string_view value);

std::string logfmt_value(std::string_view value);
std::string json_string(std::string_view value);

/// Appends the text of a field's value; returns its JSON kind: 's' string, 'n' number, 'b' bool.
char append_field_value(spdlog::memory_buf_t& out, const log_field& field);

/// Encodes a message with fields into one spdlog payload. The formatter decodes it; payloads that
/// were not encoded (plain spdlog calls) are taken as the message.
void encode_structured(spdlog::memory_buf_t& out, std::string_view msg, log_fields fields);

/// Writes records as logfmt or JSON lines. The format is shared by its clones, so set_log_format()
/// switches every logger at once.
class structured_formatter final : public spdlog::formatter {
public:
  explicit structured_formatter(std::shared_ptr<std::atomic<log_format>> format);

  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override;

  std::unique_ptr<spdlog::formatter> clone() const override;

private:
  std::shared_ptr<std::atomic<log_format>> format_;
};

} // namespace bulkd
