#include "jobs/bulk_upsert/csv_reader.hpp"

#include "jobs/bulk_upsert/utf8.hpp"

#include <algorithm>
#include <set>

namespace bulkd {

namespace {

std::string quoted_value(std::string_view value) {
  auto text = utf8_excerpt(value, 64);
  return "\"" + text + (text.size() < value.size() ? "...\"" : "\"");
}

std::string_view trim(std::string_view v) {
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t'))
    v.remove_prefix(1);
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t'))
    v.remove_suffix(1);
  return v;
}

bool is_json_number(std::string_view v) {
  size_t i = 0;
  auto digit = [&] { return i < v.size() && v[i] >= '0' && v[i] <= '9'; };
  if (i < v.size() && v[i] == '-')
    ++i;
  if (i < v.size() && v[i] == '0')
    ++i;
  else if (digit())
    while (digit())
      ++i;
  else
    return false;
  if (i < v.size() && v[i] == '.') {
    ++i;
    if (!digit())
      return false;
    while (digit())
      ++i;
  }
  if (i < v.size() && (v[i] == 'e' || v[i] == 'E')) {
    ++i;
    if (i < v.size() && (v[i] == '+' || v[i] == '-'))
      ++i;
    if (!digit())
      return false;
    while (digit())
      ++i;
  }
  return i == v.size();
}

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return (x | 0x20) == y; });
}

} // namespace

csv_reader::csv_reader(std::string path, input_buffer in, uint32_t file, record_extractor extractor,
                       reader_options options, char delimiter)
    : format_reader(std::move(path), std::move(in), file, std::move(extractor), options),
      delimiter_(delimiter) {}

caf::expected<std::unique_ptr<record_reader>>
csv_reader::make(std::string path, input_buffer in, uint32_t file, record_extractor extractor,
                 reader_options options, const csv_options& csv, resume_point from) {
  std::unique_ptr<csv_reader> reader{new csv_reader(std::move(path), std::move(in), file,
                                                    std::move(extractor), options, csv.delimiter)};
  if (auto err = reader->read_header(csv))
    return err;
  auto& in_ = reader->in_;
  if (from.offset > in_.offset()) {
    uint64_t newlines = 0;
    if (auto err = in_.skip_to(from.offset, from.line == 0 ? &newlines : nullptr))
      return err;
    reader->line_ = from.line == 0 ? reader->line_ + newlines : from.line;
  }
  return std::unique_ptr<record_reader>{std::move(reader)};
}

caf::error csv_reader::read_header(const csv_options& csv) {
  auto d = in_.data();
  while (d.size() < 3 && !in_.eof()) {
    auto more = in_.fill();
    if (!more)
      return std::move(more.error());
    d = in_.data();
  }
  if (d.substr(0, 3) == "\xEF\xBB\xBF")
    in_.consume(3);
  for (;;) {
    bool long_record = false;
    auto rec = next_record(long_record);
    if (!rec)
      return std::move(rec.error());
    if (!*rec)
      return {}; // an empty file: no header, no records
    auto header_line = line_;
    line_ += (*rec)->lines;
    auto where = "the header (line " + std::to_string(header_line) + ")";
    if (long_record)
      return fatal(where + " is longer than " + std::to_string(options_.max_record_bytes) +
                   " bytes");
    auto text = (*rec)->text;
    if (text.empty()) {
      in_.consume((*rec)->size);
      continue;
    }
    std::string error;
    if (!split(text, error))
      return fatal(where + ": " + error);
    in_.consume((*rec)->size);
    std::set<std::string> seen;
    for (size_t i = 0; i < fields_.size(); ++i) {
      const auto& name = fields_[i];
      auto column = "column " + std::to_string(i + 1);
      if (name.empty())
        return fatal(where + ": " + column + " has no name");
      if (find_invalid_utf8(name) != std::string::npos)
        return fatal(where + ": " + column + " has a name that is not valid UTF-8");
      if (!seen.insert(name).second)
        return fatal(where + ": duplicate column \"" + name + "\"");
      std::string quoted;
      append_json_string(quoted, name);
      names_.push_back(quoted + ':');
      plain_names_.push_back(name);
      auto typed = std::find_if(csv.columns.begin(), csv.columns.end(),
                                [&](const csv_column& c) { return c.name == name; });
      types_.push_back(typed == csv.columns.end() ? csv_column_type::string : typed->type);
    }
    for (const auto& column : csv.columns)
      if (!seen.count(column.name))
        return fatal("column \"" + column.name + "\" (typed in csv.columns) is not in " + where);
    return {};
  }
}

namespace {

// Where a record scan is: quotes only open a field at its start, so a stray quote inside an
// unquoted field cannot swallow the lines that follow.
enum class scan_state : uint8_t { field_start, unquoted, quoted, quote_seen };

// One byte; true when it is the line break that ends the record.
bool scan_step(scan_state& s, char c, char delimiter) {
  if (s == scan_state::quoted) {
    if (c == '"')
      s = scan_state::quote_seen;
    return false;
  }
  if (c == '"' && (s == scan_state::field_start || s == scan_state::quote_seen)) {
    s = scan_state::quoted; // opens a field, or "" inside one
    return false;
  }
  if (c == '\n') {
    s = scan_state::field_start;
    return true;
  }
  s = c == delimiter ? scan_state::field_start : scan_state::unquoted;
  return false;
}

} // namespace

caf::expected<std::optional<csv_reader::raw_record>> csv_reader::next_record(bool& too_long) {
  too_long = false;
  size_t i = 0;
  auto state = scan_state::field_start;
  uint64_t lines = 0;
  for (;;) {
    auto d = in_.data();
    for (; i < d.size(); ++i) {
      char c = d[i];
      if (c == '\n')
        ++lines;
      if (scan_step(state, c, delimiter_)) {
        auto text = d.substr(0, i);
        if (!text.empty() && text.back() == '\r')
          text.remove_suffix(1);
        return raw_record{text, i + 1, lines, false, i + 1 - text.size()};
      }
    }
    if (d.size() > options_.max_record_bytes) {
      // Keep the start for the excerpt, skip the rest of the record.
      too_long = true;
      scratch_.assign(d.substr(0, 1024));
      uint64_t size = 0;
      for (;;) {
        auto rest = in_.data();
        for (; i < rest.size(); ++i) {
          if (rest[i] == '\n')
            ++lines;
          if (scan_step(state, rest[i], delimiter_)) {
            in_.consume(i + 1);
            return raw_record{{}, size + i + 1, lines, false, 1};
          }
        }
        size += rest.size();
        in_.consume(rest.size());
        i = 0;
        auto more = in_.fill();
        if (!more)
          return std::move(more.error());
        if (!*more)
          return raw_record{{}, size, lines, state == scan_state::quoted, 0};
      }
    }
    if (in_.eof()) {
      if (d.empty())
        return std::nullopt;
      auto text = d;
      bool open_quote = state == scan_state::quoted;
      if (!open_quote && text.back() == '\r')
        text.remove_suffix(1);
      return raw_record{text, d.size(), lines, open_quote, d.size() - text.size()};
    }
    auto more = in_.fill();
    if (!more)
      return std::move(more.error());
  }
}

bool csv_reader::split(std::string_view text, std::string& error) {
  fields_.clear();
  size_t i = 0;
  for (;;) {
    auto& field = fields_.emplace_back();
    auto number = std::to_string(fields_.size());
    if (i < text.size() && text[i] == '"') {
      ++i;
      for (;;) {
        auto q = text.find('"', i);
        if (q == std::string_view::npos) {
          error = "field " + number + ": the quoted field is not closed";
          return false;
        }
        field.append(text.substr(i, q - i));
        if (q + 1 < text.size() && text[q + 1] == '"') {
          field += '"';
          i = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      if (i < text.size() && text[i] != delimiter_) {
        error = "field " + number + ": unexpected " + quoted_value(text.substr(i, 1)) +
                " after the closing quote";
        return false;
      }
    } else {
      auto e = std::min(text.find(delimiter_, i), text.size());
      field.assign(text.substr(i, e - i)); // a quote inside is taken as is
      i = e;
    }
    if (i >= text.size())
      return true;
    ++i; // the delimiter
  }
}

caf::expected<bool> csv_reader::read_some(size_t max, std::vector<input_record>& out,
                                          std::vector<rejected_record>& rejected) {
  size_t produced = 0;
  while (produced < max) {
    bool long_record = false;
    auto begin = in_.offset();
    auto rec = next_record(long_record);
    if (!rec)
      return std::move(rec.error());
    if (!*rec)
      return false;
    const auto& r = **rec;
    input_position at{file_, line_, begin, begin + r.size};
    line_ += r.lines;
    if (!long_record && r.text.empty()) {
      in_.consume(r.size);
      continue;
    }
    ++produced;
    if (long_record) {
      reject(at, too_long(r.size - r.break_size), scratch_, rejected);
      continue;
    }
    auto finish = [&] { in_.consume(r.size); };
    if (r.size > options_.max_record_bytes) {
      reject(at, too_long(r.text.size()), r.text.substr(0, 1024), rejected);
      finish();
      continue;
    }
    if (r.unterminated) {
      reject(at, "a quoted field is not closed before the end of the file", r.text, rejected);
      finish();
      continue;
    }
    std::string error;
    if (!split(r.text, error)) {
      reject(at, error, r.text, rejected);
      finish();
      continue;
    }
    if (fields_.size() != names_.size()) {
      reject(at,
             std::to_string(fields_.size()) + (fields_.size() == 1 ? " field" : " fields") +
                 ", but the header has " + std::to_string(names_.size()) + " columns",
             r.text, rejected);
      finish();
      continue;
    }
    json_.clear();
    json_ += '{';
    for (size_t k = 0; k < fields_.size() && error.empty(); ++k) {
      if (k > 0)
        json_ += ',';
      json_ += names_[k];
      std::string_view value = fields_[k];
      auto column = "column \"" + plain_names_[k] + "\": ";
      switch (types_[k]) {
      case csv_column_type::string:
        if (find_invalid_utf8(value) != std::string_view::npos)
          error = column + "invalid UTF-8";
        else
          append_json_string(json_, value);
        break;
      case csv_column_type::number:
        value = trim(value);
        if (value.empty())
          json_ += "null";
        else if (is_json_number(value))
          json_ += value;
        else
          error = column + quoted_value(fields_[k]) + " is not a number";
        break;
      case csv_column_type::boolean:
        value = trim(value);
        if (value.empty())
          json_ += "null";
        else if (iequals(value, "true"))
          json_ += "true";
        else if (iequals(value, "false"))
          json_ += "false";
        else
          error = column + quoted_value(fields_[k]) + " is not a boolean (true or false)";
        break;
      case csv_column_type::json:
        if (trim(value).empty()) {
          json_ += "null";
        } else if (auto failure = json_column_.compact(value, json_)) {
          error = column + failure->what + " at column " + std::to_string(failure->offset + 1) +
                  " of the field";
        }
        break;
      }
    }
    if (!error.empty()) {
      reject(at, error, r.text, rejected);
      finish();
      continue;
    }
    json_ += '}';
    emit(json_, at, out, rejected);
    finish();
  }
  return true;
}

} // namespace bulkd
