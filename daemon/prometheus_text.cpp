#include "daemon/prometheus_text.hpp"

#include <array>
#include <charconv>
#include <cmath>

namespace bulkd::metrics {

namespace {

void append_labels(std::string& out, const std::vector<std::string>& names,
                   const std::vector<std::string>& values, std::string_view le = {}) {
  if (names.empty() && le.empty())
    return;
  out += '{';
  for (size_t i = 0; i < names.size() && i < values.size(); ++i) {
    if (i > 0)
      out += ',';
    out += names[i];
    out += "=\"";
    out += escape_label_value(values[i]);
    out += '"';
  }
  if (!le.empty()) {
    if (!names.empty())
      out += ',';
    out += "le=\"";
    out += le;
    out += '"';
  }
  out += '}';
}

void append_sample(std::string& out, std::string_view name, const family_snapshot& fam,
                   const series_snapshot& s, std::string_view value, std::string_view le = {}) {
  out += name;
  append_labels(out, fam.label_names, s.label_values, le);
  out += ' ';
  out += value;
  out += '\n';
}

} // namespace

std::string escape_help(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string format_value(double value) {
  if (std::isnan(value))
    return "NaN";
  if (std::isinf(value))
    return value > 0 ? "+Inf" : "-Inf";
  std::array<char, 32> buf;
  constexpr double exact_int_limit = 9007199254740992.0; // 2^53
  char* end = nullptr;
  if (value == std::trunc(value) && std::fabs(value) <= exact_int_limit)
    end = std::to_chars(buf.data(), buf.data() + buf.size(), static_cast<int64_t>(value)).ptr;
  else
    end = std::to_chars(buf.data(), buf.data() + buf.size(), value).ptr;
  return std::string{buf.data(), end};
}

std::string render_prometheus(const std::vector<family_snapshot>& families) {
  std::string out;
  for (const auto& fam : families) {
    out += "# HELP ";
    out += fam.name;
    out += ' ';
    out += escape_help(fam.help);
    out += "\n# TYPE ";
    out += fam.name;
    out += ' ';
    out += to_string(fam.type);
    out += '\n';
    for (const auto& s : fam.series) {
      if (fam.type != metric_type::histogram) {
        append_sample(out, fam.name, fam, s, format_value(s.value));
        continue;
      }
      auto bucket = fam.name + "_bucket";
      uint64_t count = 0;
      for (size_t i = 0; i < s.cumulative_counts.size(); ++i) {
        count = s.cumulative_counts[i];
        auto le = i < fam.bounds.size() ? format_value(fam.bounds[i]) : std::string{"+Inf"};
        append_sample(out, bucket, fam, s, std::to_string(count), le);
      }
      append_sample(out, fam.name + "_sum", fam, s, format_value(s.sum));
      append_sample(out, fam.name + "_count", fam, s, std::to_string(count));
    }
  }
  return out;
}

} // namespace bulkd::metrics
