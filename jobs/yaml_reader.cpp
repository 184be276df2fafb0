#include "jobs/yaml_reader.hpp"

#include "jobs/byte_size.hpp"
#include "jobs/duration.hpp"
#include "jobs/error_text.hpp"
#include "clients/url.hpp"

#include <algorithm>
#include <charconv>
#include <cstdlib>

namespace bulkd::yaml {

std::string join(const std::string& path, std::string_view key) {
  if (path.empty())
    return std::string{key};
  if (key.empty())
    return path;
  if (key.front() == '[')
    return path + std::string{key};
  return path + "." + std::string{key};
}

const char* type_name(const YAML::Node& node) {
  switch (node.Type()) {
  case YAML::NodeType::Map:
    return "a map";
  case YAML::NodeType::Sequence:
    return "a list";
  case YAML::NodeType::Scalar:
    return "a scalar";
  case YAML::NodeType::Null:
    return "an empty value";
  case YAML::NodeType::Undefined:
    break;
  }
  return "nothing";
}

size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::vector<size_t>> d(a.size() + 1, std::vector<size_t>(b.size() + 1));
  for (size_t i = 0; i <= a.size(); ++i)
    d[i][0] = i;
  for (size_t j = 0; j <= b.size(); ++j)
    d[0][j] = j;
  for (size_t i = 1; i <= a.size(); ++i)
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.size()][b.size()];
}

void reader::report(const YAML::Mark& at, const std::string& path, std::string message,
                    severity level) {
  diagnostic d;
  d.file = file_;
  if (!at.is_null()) {
    d.line = at.line + 1;
    d.column = at.column + 1;
  }
  d.path = path;
  d.message = std::move(message);
  d.level = level;
  out_.push_back(std::move(d));
}

std::string reader::quote(const YAML::Node& node) const {
  const auto& raw = node.Scalar();
  // A key pasted into the wrong field must not end up in logs: repeat only short values without
  // the characters of base64 keys and connection strings.
  bool shown = raw.size() <= 40 && std::all_of(raw.begin(), raw.end(), [](char c) {
                 return c >= ' ' && c <= '~' && c != '=' && c != '+' && c != ';';
               });
  if (!shown)
    return "(value not shown)";
  return "'" + raw + "'";
}

std::optional<std::string> reader::text(const YAML::Node& node, const std::string& path,
                                        bool is_secret, const char* expected) {
  if (!node.IsScalar()) {
    error(node, path, std::string{"expected "} + expected + ", got " + type_name(node));
    return std::nullopt;
  }
  auto x = expand(node.Scalar(), ctx_);
  if (!x) {
    // Expansion errors name the reference, never a resolved value.
    error(node, path, error_text(x.error()));
    return std::nullopt;
  }
  for (auto& name : x->deferred)
    report(node.Mark(), path,
           "credential '" + name + "' not checked: $CREDENTIALS_DIRECTORY is not set",
           severity::warning);
  if (!x->deferred.empty() && !is_secret)
    return std::nullopt;
  return std::move(x->value);
}

std::optional<std::string> reader::string(const YAML::Node& node, const std::string& path,
                                          bool non_empty) {
  auto t = text(node, path);
  if (t && non_empty && t->empty()) {
    error(node, path, "must not be empty");
    return std::nullopt;
  }
  return t;
}

std::optional<secret> reader::secret_value(const YAML::Node& node, const std::string& path) {
  if (!node.IsScalar()) {
    error(node, path, std::string{"expected a string (secret), got "} + type_name(node));
    return std::nullopt;
  }
  auto t = text(node, path, true);
  if (!t)
    return std::nullopt;
  return secret{std::move(*t)};
}

std::optional<bool> reader::boolean(const YAML::Node& node, const std::string& path) {
  auto t = text(node, path, false, "true or false");
  if (!t)
    return std::nullopt;
  if (*t == "true")
    return true;
  if (*t == "false")
    return false;
  error(node, path, "expected true or false, got " + quote(node));
  return std::nullopt;
}

std::optional<uint64_t> reader::integer(const YAML::Node& node, const std::string& path,
                                        uint64_t min, uint64_t max) {
  auto t = text(node, path, false, "an integer");
  if (!t)
    return std::nullopt;
  uint64_t v = 0;
  auto [ptr, err] = std::from_chars(t->data(), t->data() + t->size(), v);
  if (t->empty() || err == std::errc::invalid_argument || ptr != t->data() + t->size()) {
    if (!t->empty() && t->front() == '-' && std::all_of(t->begin() + 1, t->end(), ::isdigit) &&
        t->size() > 1)
      error(node, path, "must be at least " + std::to_string(min) + ", got " + quote(node));
    else
      error(node, path, "expected an integer, got " + quote(node));
    return std::nullopt;
  }
  if (err == std::errc::result_out_of_range || v > max) {
    error(node, path, "must be at most " + std::to_string(max) + ", got " + quote(node));
    return std::nullopt;
  }
  if (v < min) {
    error(node, path, "must be at least " + std::to_string(min) + ", got " + quote(node));
    return std::nullopt;
  }
  return v;
}

std::optional<double> reader::number(const YAML::Node& node, const std::string& path, double min) {
  auto t = text(node, path, false, "a number");
  if (!t)
    return std::nullopt;
  char* end = nullptr;
  double v = std::strtod(t->c_str(), &end);
  if (t->empty() || end != t->c_str() + t->size() || v != v) {
    error(node, path, "expected a number, got " + quote(node));
    return std::nullopt;
  }
  if (v < min) {
    error(node, path, "must be at least " + std::to_string(min) + ", got " + quote(node));
    return std::nullopt;
  }
  return v;
}

std::optional<std::chrono::milliseconds>
reader::duration(const YAML::Node& node, const std::string& path, std::chrono::milliseconds min) {
  auto t = text(node, path, false, "a duration");
  if (!t)
    return std::nullopt;
  auto d = parse_duration(*t);
  if (!d) {
    if (node.Scalar() == *t)
      error(node, path, error_text(d.error()));
    else
      error(node, path, quote(node) + " does not expand to a valid duration");
    return std::nullopt;
  }
  if (*d < min) {
    error(node, path, "must be at least " + format_duration(min) + ", got " + quote(node));
    return std::nullopt;
  }
  return *d;
}

std::optional<uint64_t> reader::byte_size(const YAML::Node& node, const std::string& path) {
  auto t = text(node, path, false, "a size");
  if (!t)
    return std::nullopt;
  auto s = parse_byte_size(*t);
  if (!s) {
    if (node.Scalar() == *t)
      error(node, path, error_text(s.error()));
    else
      error(node, path, quote(node) + " does not expand to a valid size");
    return std::nullopt;
  }
  if (*s == 0) {
    error(node, path, "must be greater than 0");
    return std::nullopt;
  }
  return *s;
}

std::optional<std::string> reader::url(const YAML::Node& node, const std::string& path) {
  auto t = string(node, path);
  if (!t)
    return std::nullopt;
  if (auto u = parse_url(*t, false); !u) {
    error(node, path, error_text(u.error()));
    return std::nullopt;
  }
  return t;
}

std::optional<std::vector<std::string>> reader::string_list(const YAML::Node& node,
                                                            const std::string& path) {
  if (node.IsScalar()) {
    auto s = string(node, path);
    if (!s)
      return std::nullopt;
    return std::vector<std::string>{*s};
  }
  if (!node.IsSequence()) {
    error(node, path, std::string{"expected a list of strings, got "} + type_name(node));
    return std::nullopt;
  }
  std::vector<std::string> out;
  bool ok = true;
  for (size_t i = 0; i < node.size(); ++i) {
    auto s = string(node[i], join(path, "[" + std::to_string(i) + "]"));
    if (s)
      out.push_back(std::move(*s));
    else
      ok = false;
  }
  if (!ok)
    return std::nullopt;
  return out;
}

std::optional<std::map<std::string, std::string>>
reader::string_map(const YAML::Node& node, const std::string& path, bool secret_values) {
  if (!node.IsMap()) {
    error(node, path, std::string{"expected a map, got "} + type_name(node));
    return std::nullopt;
  }
  std::map<std::string, std::string> out;
  bool ok = true;
  for (auto it = node.begin(); it != node.end(); ++it) {
    if (!it->first.IsScalar()) {
      error(it->first, path, "keys must be strings");
      ok = false;
      continue;
    }
    auto key = it->first.Scalar();
    auto p = join(path, key);
    if (out.count(key)) {
      error(it->first, p, "duplicate key '" + key + "'");
      ok = false;
      continue;
    }
    auto v = secret_values ? [&]() -> std::optional<std::string> {
      auto s = secret_value(it->second, p);
      return s ? std::optional<std::string>{s->reveal()} : std::nullopt;
    }()
        : text(it->second, p);
    if (v)
      out.emplace(key, std::move(*v));
    else
      ok = false;
  }
  if (!ok)
    return std::nullopt;
  return out;
}

map_reader::map_reader(reader& r, const YAML::Node& node, std::string path)
    : r_(r), node_(node), path_(std::move(path)) {
  if (!node.IsMap()) {
    r_.error(node, path_, std::string{"expected a map, got "} + type_name(node));
    return;
  }
  ok_ = true;
  for (auto it = node.begin(); it != node.end(); ++it) {
    if (!it->first.IsScalar()) {
      r_.error(it->first, path_, std::string{"keys must be strings, got "} + type_name(it->first));
      continue;
    }
    auto key = it->first.Scalar();
    auto dup = std::find_if(entries_.begin(), entries_.end(),
                            [&](const entry& e) { return e.key == key; });
    if (dup != entries_.end()) {
      r_.error(it->first, join(path_, key),
               "duplicate key '" + key + "' (first at line " +
                   std::to_string(dup->key_node.Mark().line + 1) + ")");
      continue;
    }
    entries_.push_back(entry{key, it->first, it->second});
  }
}

YAML::Node map_reader::get(std::string_view key) {
  known_.emplace(key);
  for (auto& e : entries_) {
    if (e.key != key)
      continue;
    if (e.value.IsNull()) {
      // An empty value has no position of its own (yaml-cpp puts it at the next token): report
      // it at the key, once, and treat the key as absent.
      if (!e.null_reported)
        r_.report(e.key_node.Mark(), path(key),
                  "'" + e.key + "' has no value (give one or remove the key)");
      e.null_reported = true;
      return YAML::Node{YAML::NodeType::Undefined};
    }
    return e.value;
  }
  return YAML::Node{YAML::NodeType::Undefined};
}

YAML::Node map_reader::require(std::string_view key) {
  auto n = get(key);
  bool reported_empty = std::any_of(entries_.begin(), entries_.end(), [&](const entry& e) {
    return e.key == key && e.null_reported;
  });
  if (!n.IsDefined() && ok_ && !reported_empty)
    r_.error(node_, path(key), "missing required key '" + std::string{key} + "'");
  return n;
}

void map_reader::allow(std::initializer_list<std::string_view> keys) {
  for (auto k : keys)
    known_.emplace(k);
}

void map_reader::reject(std::string_view key, const std::string& why) {
  known_.emplace(key);
  for (auto& e : entries_)
    if (e.key == key)
      r_.report(e.key_node.Mark(), path(key), why);
}

YAML::Mark map_reader::key_mark(std::string_view key) const {
  for (auto& e : entries_)
    if (e.key == key)
      return e.key_node.Mark();
  return node_.Mark();
}

void map_reader::finish(const std::string& context) {
  for (auto& e : entries_) {
    if (known_.count(e.key))
      continue;
    std::string best;
    size_t best_d = 3;
    for (auto& k : known_) {
      auto d = edit_distance(e.key, k);
      if (d < best_d) {
        best_d = d;
        best = k;
      }
    }
    if (e.key == "<<") {
      r_.report(e.key_node.Mark(), path(e.key), "YAML merge keys (<<) are not supported");
      continue;
    }
    std::string msg = "unknown key '" + e.key + "'";
    if (!context.empty())
      msg += " " + context;
    if (!best.empty()) {
      msg += " (did you mean '" + best + "'?)";
    } else {
      msg += " (known keys: ";
      bool first = true;
      for (auto& k : known_) {
        msg += first ? "" : ", ";
        msg += k;
        first = false;
      }
      msg += ")";
    }
    r_.report(e.key_node.Mark(), path(e.key), msg);
  }
}

void map_reader::read(std::string_view key, std::string& out, bool required) {
  auto n = required ? require(key) : get(key);
  if (n.IsDefined())
    if (auto v = r_.string(n, path(key)))
      out = std::move(*v);
}

void map_reader::read(std::string_view key, secret& out, bool required) {
  auto n = required ? require(key) : get(key);
  if (n.IsDefined())
    if (auto v = r_.secret_value(n, path(key)))
      out = std::move(*v);
}

void map_reader::read(std::string_view key, bool& out) {
  if (auto n = get(key); n.IsDefined())
    if (auto v = r_.boolean(n, path(key)))
      out = *v;
}

void map_reader::read(std::string_view key, std::chrono::milliseconds& out,
                      std::chrono::milliseconds min) {
  if (auto n = get(key); n.IsDefined())
    if (auto v = r_.duration(n, path(key), min))
      out = *v;
}

} // namespace bulkd::yaml
