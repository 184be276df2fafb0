#include "jobs/bulk_upsert/json_array_reader.hpp"

#include "jobs/bulk_upsert/utf8.hpp"

namespace bulkd {

json_array_reader::json_array_reader(std::string path, input_buffer in, uint32_t file,
                                     record_extractor extractor, reader_options options,
                                     resume_point from, uint64_t line_start)
    : format_reader(std::move(path), std::move(in), file, std::move(extractor), options),
      state_(from.offset > 0 ? state::in_array : state::before_array),
      line_(from.line == 0 ? 1 : from.line), line_start_(line_start) {}

std::string json_array_reader::here() const {
  auto column = in_.offset() - line_start_ + 1;
  return "line " + std::to_string(line_) + ", column " + std::to_string(column) + " (offset " +
         std::to_string(in_.offset()) + ")";
}

std::string json_array_reader::describe_next() const {
  auto d = in_.data();
  if (d.empty())
    return "the end of the file";
  auto c = static_cast<unsigned char>(d.front());
  if (c >= 0x20 && c < 0x7F)
    return std::string{"'"} + d.front() + "'";
  return "byte " + std::to_string(c);
}

std::string json_array_reader::locate(std::string_view text, size_t offset,
                                      const input_position& at) {
  uint64_t line = at.line;
  uint64_t column_base = at.begin - element_line_start_; // bytes before the element on its line
  size_t line_begin = 0;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      line_begin = i + 1;
      column_base = 0;
    }
  }
  auto column = std::to_string(column_base + (offset - line_begin) + 1);
  if (line == at.line)
    return " at column " + column;
  return " at line " + std::to_string(line) + ", column " + column;
}

caf::expected<bool> json_array_reader::skip_ws() {
  for (;;) {
    auto d = in_.data();
    size_t i = 0;
    while (i < d.size()) {
      char c = d[i];
      if (c == '\n') {
        ++line_;
        line_start_ = in_.offset() + i + 1;
      } else if (c != ' ' && c != '\t' && c != '\r') {
        break;
      }
      ++i;
    }
    in_.consume(i);
    if (i < d.size())
      return true;
    auto more = in_.fill();
    if (!more)
      return std::move(more.error());
    if (!*more)
      return false;
  }
}

caf::expected<bool> json_array_reader::read_some(size_t max, std::vector<input_record>& out,
                                                 std::vector<rejected_record>& rejected) {
  size_t produced = 0;
  while (produced < max) {
    if (state_ == state::before_array) {
      auto d = in_.data();
      while (d.size() < 3 && !in_.eof()) {
        auto more = in_.fill();
        if (!more)
          return std::move(more.error());
        d = in_.data();
      }
      if (d.substr(0, 3) == "\xEF\xBB\xBF") {
        in_.consume(3);
        line_start_ = 3;
      }
      auto any = skip_ws();
      if (!any)
        return std::move(any.error());
      if (!*any) {
        state_ = state::done; // an empty file holds no records
        return false;
      }
      if (in_.data().front() != '[')
        return fatal("not a JSON array: expected '[' at " + here() + ", found " + describe_next());
      in_.consume(1);
      state_ = state::in_array;
      continue;
    }
    if (state_ == state::done)
      return false;
    auto any = skip_ws();
    if (!any)
      return std::move(any.error());
    if (state_ == state::after_array) {
      if (*any)
        return fatal("unexpected " + describe_next() + " after the end of the array at " + here());
      state_ = state::done;
      return false;
    }
    if (!*any)
      return fatal("the file ends inside the array (a ']' is missing) at " + here());
    if (in_.data().front() == ']') {
      if (state_ == state::after_comma)
        return fatal("a ',' before ']' at " + here() + " (trailing comma)");
      in_.consume(1);
      state_ = state::after_array;
      continue;
    }
    // An element: find its end by balancing brackets outside strings.
    input_position at{file_, line_, in_.offset(), 0};
    element_line_start_ = line_start_;
    auto element_line = line_;
    size_t i = 0;
    int depth = 0;
    bool in_string = false;
    bool escape = false;
    bool oversized = false;
    uint64_t skipped = 0; // bytes dropped from an over-long element
    std::string head;
    for (;;) {
      auto d = in_.data();
      bool found = false;
      for (; i < d.size(); ++i) {
        if (in_string && !escape) {
          while (i < d.size() && d[i] != '"' && d[i] != '\\' && d[i] != '\n')
            ++i;
          if (i == d.size())
            break;
        }
        char c = d[i];
        if (in_string) {
          if (escape)
            escape = false;
          else if (c == '\\')
            escape = true;
          else if (c == '"')
            in_string = false;
        } else if (c == '"') {
          in_string = true;
        } else if (c == '{' || c == '[') {
          ++depth;
        } else if (c == '}' || c == ']') {
          if (depth == 0) {
            found = true; // the ']' of the array ends a scalar element
            break;
          }
          if (--depth == 0) {
            ++i;
            found = true;
            break;
          }
        } else if (depth == 0 && (c == ',' || c == ' ' || c == '\t' || c == '\r' || c == '\n')) {
          found = true;
          break;
        }
        if (c == '\n') {
          ++line_;
          line_start_ = in_.offset() + i + 1;
        }
      }
      if (found)
        break;
      if (i > options_.max_record_bytes) {
        if (!oversized)
          head.assign(d.substr(0, 1024));
        oversized = true;
        skipped += i;
        in_.consume(i);
        i = 0;
      }
      auto more = in_.fill();
      if (!more)
        return std::move(more.error());
      if (!*more) {
        if (depth > 0 || in_string)
          return fatal("the file ends inside the element that starts at line " +
                       std::to_string(element_line) + " (offset " + std::to_string(at.begin) + ")");
        break;
      }
    }
    if (skipped + i == 0)
      return fatal("expected an element at " + here() + ", found " + describe_next());
    // Emit now, while the text is in the buffer; the end is known after the separator.
    auto records = out.size();
    auto rejects = rejected.size();
    if (!oversized && i > options_.max_record_bytes) {
      oversized = true;
      head.assign(in_.data().substr(0, 1024));
    }
    if (oversized)
      reject(at, too_long(skipped + i), head, rejected);
    else
      emit(in_.data().substr(0, i), at, out, rejected);
    in_.consume(i);
    ++produced;
    // Until the separator is read the record ends right after the element: a file that breaks
    // off there still hands on the record with a position to resume at.
    auto set_end = [&] {
      if (out.size() > records)
        out.back().at.end = in_.offset();
      if (rejected.size() > rejects)
        rejected.back().at.end = in_.offset();
    };
    set_end();
    auto more_ws = skip_ws();
    if (!more_ws)
      return std::move(more_ws.error());
    if (!*more_ws)
      return fatal("the file ends inside the array (a ']' is missing) at " + here());
    auto next = in_.data().front();
    if (next == ',') {
      in_.consume(1);
      state_ = state::after_comma;
    } else if (next == ']') {
      state_ = state::in_array; // the ']' is read next; resuming there ends the array
    } else {
      return fatal("expected ',' or ']' after the element that starts at line " +
                   std::to_string(element_line) + ", found " + describe_next() + " at " + here());
    }
    set_end();
  }
  return true;
}

} // namespace bulkd
