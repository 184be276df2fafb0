#pragma once

// A strict parser of the Prometheus text exposition format 0.0.4, for tests: it checks what
// bulkd's /metrics must satisfy and fails with "line N: reason" on the first problem.
//
// Accepted lines: "# HELP name text", "# TYPE name type" and samples "name{l="v",...} value
// [timestamp]". Stricter than the format: empty lines, other comments and samples of a family
// without a TYPE line are errors. Checked: names and label names, label value escapes (\\ \" \n),
// at most one HELP and one TYPE per family, TYPE before the family's samples, a family's lines in
// one group, no duplicate series, counters not negative, and for histograms: every series has
// _bucket lines with increasing le ending with le="+Inf", cumulative (non-decreasing) counts, _sum,
// and _count equal to the +Inf bucket.
//
//   auto parsed = bulkd::test::parse_prometheus_text(body);
//   REQUIRE(parsed.error == "");
//   CHECK(parsed.doc.value("bulkd_up") == 1.0);

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace bulkd::test {

using prom_labels = std::vector<std::pair<std::string, std::string>>;

struct prom_sample {
  std::string name;
  prom_labels labels; // in the order written
  double value = 0;
  std::optional<int64_t> timestamp;

  std::optional<std::string> label(std::string_view key) const {
    for (const auto& [k, v] : labels)
      if (k == key)
        return v;
    return std::nullopt;
  }
};

struct prom_family {
  std::string name;
  std::optional<std::string> help; // unescaped
  std::string type;
  std::vector<prom_sample> samples;
};

struct prom_document {
  std::vector<prom_family> families; // in the order of the text

  const prom_family* family(std::string_view name) const {
    for (const auto& f : families)
      if (f.name == name)
        return &f;
    return nullptr;
  }

  /// The sample `name` whose labels are exactly `labels` (any order).
  const prom_sample* sample(std::string_view name, prom_labels labels = {}) const {
    std::map<std::string, std::string> want(labels.begin(), labels.end());
    for (const auto& f : families)
      for (const auto& s : f.samples)
        if (s.name == name &&
            std::map<std::string, std::string>(s.labels.begin(), s.labels.end()) == want)
          return &s;
    return nullptr;
  }

  std::optional<double> value(std::string_view name, prom_labels labels = {}) const {
    if (auto* s = sample(name, std::move(labels)))
      return s->value;
    return std::nullopt;
  }
};

struct prom_result {
  prom_document doc;
  std::string error; // empty on success: "line N: reason" (N = 0 for checks after the last line)
};

namespace detail {

inline bool prom_name_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
}

inline bool prom_name_char(char c) {
  return prom_name_start(c) || (c >= '0' && c <= '9');
}

inline bool valid_metric_name(std::string_view s) {
  if (s.empty() || !prom_name_start(s[0]))
    return false;
  for (char c : s)
    if (!prom_name_char(c))
      return false;
  return true;
}

inline bool valid_label_name(std::string_view s) {
  if (s.empty() || !prom_name_start(s[0]) || s[0] == ':')
    return false;
  for (char c : s)
    if (!prom_name_char(c) || c == ':')
      return false;
  return true;
}

inline std::optional<double> parse_value(std::string_view s) {
  if (s == "+Inf" || s == "Inf")
    return HUGE_VAL;
  if (s == "-Inf")
    return -HUGE_VAL;
  if (s == "NaN")
    return std::nan("");
  if (s.empty())
    return std::nullopt;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-'))
      return std::nullopt;
  std::string copy{s};
  char* end = nullptr;
  double v = std::strtod(copy.c_str(), &end);
  if (end != copy.c_str() + copy.size())
    return std::nullopt;
  return v;
}

inline std::string series_key(const std::string& name, const prom_labels& labels,
                              bool drop_le = false) {
  std::map<std::string, std::string> sorted;
  for (const auto& [k, v] : labels)
    if (!(drop_le && k == "le"))
      sorted[k] = v;
  std::string key = name + "{";
  for (const auto& [k, v] : sorted)
    key += k + "=" + std::to_string(v.size()) + ":" + v + ",";
  return key + "}";
}

class prom_parser {
public:
  explicit prom_parser(std::string_view text) : text_(text) {}

  prom_result run() {
    prom_result result;
    if (!text_.empty() && text_.back() != '\n')
      return fail(result, count_lines(), "the text does not end with a newline");
    size_t pos = 0;
    size_t line_no = 0;
    while (pos < text_.size()) {
      ++line_no;
      auto end = text_.find('\n', pos);
      auto line = text_.substr(pos, end - pos);
      pos = end + 1;
      std::string err = parse_line(line);
      if (!err.empty())
        return fail(result, line_no, err);
    }
    for (const auto& f : doc_.families) {
      std::string err = check_family(f);
      if (!err.empty())
        return fail(result, 0, err);
    }
    result.doc = std::move(doc_);
    return result;
  }

private:
  prom_result& fail(prom_result& r, size_t line, const std::string& why) {
    r.error = "line " + std::to_string(line) + ": " + why;
    return r;
  }

  size_t count_lines() const {
    size_t n = 1;
    for (char c : text_)
      n += c == '\n';
    return n;
  }

  prom_family& family_for_declaration(const std::string& name, std::string& err) {
    auto* f = find(name);
    if (f == nullptr)
      return open(name);
    if (current_ != name)
      err = "'" + name + "' declared after its group ended";
    return *f;
  }

  prom_family* find(const std::string& name) {
    for (auto& f : doc_.families)
      if (f.name == name)
        return &f;
    return nullptr;
  }

  prom_family& open(const std::string& name) {
    if (!current_.empty())
      closed_.insert(current_);
    current_ = name;
    doc_.families.push_back(prom_family{name, std::nullopt, "", {}});
    return doc_.families.back();
  }

  std::string parse_line(std::string_view line) {
    if (line.empty())
      return "empty line";
    if (line[0] == '#')
      return parse_comment(line);
    return parse_sample(line);
  }

  std::string parse_comment(std::string_view line) {
    bool help = line.starts_with("# HELP ");
    bool type = line.starts_with("# TYPE ");
    if (!help && !type)
      return "a comment that is neither '# HELP' nor '# TYPE'";
    auto rest = line.substr(7);
    auto space = rest.find(' ');
    std::string name{rest.substr(0, space)};
    if (!valid_metric_name(name))
      return "invalid metric name '" + name + "'";
    if (space == std::string_view::npos)
      return std::string{help ? "HELP" : "TYPE"} + " of '" + name + "' has no text";
    auto arg = rest.substr(space + 1);
    std::string err;
    auto& f = family_for_declaration(name, err);
    if (!err.empty())
      return err;
    if (help) {
      if (f.help)
        return "second HELP for '" + name + "'";
      if (!f.samples.empty())
        return "HELP for '" + name + "' after its samples";
      std::string text;
      for (size_t i = 0; i < arg.size(); ++i) {
        if (arg[i] != '\\') {
          text += arg[i];
          continue;
        }
        if (i + 1 == arg.size())
          return "HELP of '" + name + "' ends with a lone backslash";
        char next = arg[++i];
        if (next == '\\')
          text += '\\';
        else if (next == 'n')
          text += '\n';
        else
          return std::string{"invalid escape '\\"} + next + "' in HELP of '" + name + "'";
      }
      f.help = text;
      return {};
    }
    if (!f.type.empty())
      return "second TYPE for '" + name + "'";
    if (!f.samples.empty())
      return "TYPE for '" + name + "' after its samples";
    static const std::set<std::string, std::less<>> types{"counter", "gauge", "histogram",
                                                          "summary", "untyped"};
    if (types.count(arg) == 0)
      return "unknown TYPE '" + std::string{arg} + "' for '" + name + "'";
    f.type = std::string{arg};
    return {};
  }

  // The family a sample name belongs to: histogram/summary suffixes map to their base.
  std::string family_name_of(const std::string& sample) {
    for (std::string_view suffix : {"_bucket", "_sum", "_count"}) {
      if (sample.size() > suffix.size() && sample.ends_with(suffix)) {
        auto base = sample.substr(0, sample.size() - suffix.size());
        auto* f = find(base);
        if (f && (f->type == "histogram" || (f->type == "summary" && suffix != "_bucket")))
          return base;
      }
    }
    return sample;
  }

  std::string parse_sample(std::string_view line) {
    size_t i = 0;
    while (i < line.size() && prom_name_char(line[i]))
      ++i;
    std::string name{line.substr(0, i)};
    if (!valid_metric_name(name))
      return "invalid metric name at the start of '" + std::string{line} + "'";
    prom_labels labels;
    if (i < line.size() && line[i] == '{') {
      ++i;
      std::set<std::string> seen;
      while (true) {
        if (i >= line.size())
          return "unterminated label set";
        if (line[i] == '}') {
          ++i;
          break;
        }
        size_t start = i;
        while (i < line.size() && prom_name_char(line[i]))
          ++i;
        std::string label{line.substr(start, i - start)};
        if (!valid_label_name(label))
          return "invalid label name '" + label + "'";
        if (!seen.insert(label).second)
          return "duplicate label '" + label + "'";
        if (i + 1 >= line.size() || line[i] != '=' || line[i + 1] != '"')
          return "expected =\" after label '" + label + "'";
        i += 2;
        std::string value;
        bool closed = false;
        while (i < line.size()) {
          char c = line[i++];
          if (c == '"') {
            closed = true;
            break;
          }
          if (c != '\\') {
            value += c;
            continue;
          }
          if (i >= line.size())
            break;
          char next = line[i++];
          if (next == '\\')
            value += '\\';
          else if (next == '"')
            value += '"';
          else if (next == 'n')
            value += '\n';
          else
            return std::string{"invalid escape '\\"} + next + "' in label '" + label + "'";
        }
        if (!closed)
          return "unterminated value of label '" + label + "'";
        labels.emplace_back(label, value);
        if (i < line.size() && line[i] == ',')
          ++i;
        else if (i < line.size() && line[i] != '}')
          return "expected ',' or '}' after label '" + label + "'";
      }
    }
    if (i >= line.size() || line[i] != ' ')
      return "expected a space and a value after '" + name + "'";
    auto rest = line.substr(i + 1);
    auto space = rest.find(' ');
    auto value_text = rest.substr(0, space);
    auto value = parse_value(value_text);
    if (!value)
      return "invalid value '" + std::string{value_text} + "' of '" + name + "'";
    prom_sample sample{name, labels, *value, std::nullopt};
    if (space != std::string_view::npos) {
      auto ts = rest.substr(space + 1);
      std::string copy{ts};
      char* end = nullptr;
      long long v = std::strtoll(copy.c_str(), &end, 10);
      if (copy.empty() || end != copy.c_str() + copy.size())
        return "invalid timestamp '" + copy + "' of '" + name + "'";
      sample.timestamp = v;
    }
    auto fam_name = family_name_of(name);
    auto* f = find(fam_name);
    if (f == nullptr)
      return "sample '" + name + "' has no TYPE line before it";
    if (current_ != fam_name)
      return "sample '" + name + "' is not in the group of its family '" + fam_name + "'";
    if (f->type.empty())
      return "sample '" + name + "' has no TYPE line before it";
    if (!series_.insert(series_key(name, labels)).second)
      return "duplicate series '" + std::string{line.substr(0, i)} + "'";
    if (f->type == "counter" && *value < 0)
      return "counter '" + name + "' is negative";
    f->samples.push_back(std::move(sample));
    return {};
  }

  std::string check_family(const prom_family& f) {
    if (f.type != "histogram")
      return {};
    struct series_state {
      std::vector<std::pair<double, double>> buckets; // le, count
      std::optional<double> sum;
      std::optional<double> count;
    };
    std::map<std::string, series_state> by_series;
    for (const auto& s : f.samples) {
      auto key = series_key("", s.labels, true);
      auto& st = by_series[key];
      auto le = s.label("le");
      if (s.name == f.name + "_bucket") {
        if (!le)
          return "bucket of '" + f.name + "' without an le label";
        auto bound = parse_value(*le);
        if (!bound || std::isnan(*bound))
          return "invalid le=\"" + *le + "\" in '" + f.name + "'";
        if (!st.buckets.empty() && !(st.buckets.back().first < *bound))
          return "le of '" + f.name + "' not increasing at le=\"" + *le + "\"";
        if (!st.buckets.empty() && s.value < st.buckets.back().second)
          return "buckets of '" + f.name + "' not cumulative at le=\"" + *le + "\"";
        st.buckets.emplace_back(*bound, s.value);
      } else if (le) {
        return "'" + s.name + "' must not have an le label";
      } else if (s.name == f.name + "_sum") {
        st.sum = s.value;
      } else if (s.name == f.name + "_count") {
        st.count = s.value;
      } else {
        return "histogram '" + f.name + "' has a sample '" + s.name + "'";
      }
    }
    for (const auto& [key, st] : by_series) {
      if (st.buckets.empty() || !std::isinf(st.buckets.back().first))
        return "histogram '" + f.name + "' series " + key + " does not end with le=\"+Inf\"";
      if (!st.sum)
        return "histogram '" + f.name + "' series " + key + " has no _sum";
      if (!st.count)
        return "histogram '" + f.name + "' series " + key + " has no _count";
      if (*st.count != st.buckets.back().second)
        return "histogram '" + f.name + "' series " + key + ": _count differs from the +Inf bucket";
    }
    return {};
  }

  std::string_view text_;
  prom_document doc_;
  std::string current_;
  std::set<std::string> closed_;
  std::set<std::string> series_;
};

} // namespace detail

inline prom_result parse_prometheus_text(std::string_view text) {
  return detail::prom_parser{text}.run();
}

} // namespace bulkd::test
