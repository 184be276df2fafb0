#pragma once

// Strict reading of YAML nodes into typed values, for the spec loaders. Every problem becomes a
// diagnostic with file:line:column and key path; reading goes on after an error so one pass
// reports everything. Values are never echoed for secret fields, and a value that came from a
// `${...}` reference is never echoed at all (only the reference as written).

#include "jobs/diagnostic.hpp"
#include "jobs/enum_names.hpp"
#include "jobs/expand.hpp"
#include "jobs/secret.hpp"

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace bulkd::yaml {

/// "a.b" from "a" and "b"; either may be empty.
std::string join(const std::string& path, std::string_view key);

/// "a list", "a map", ... for type errors.
const char* type_name(const YAML::Node& node);

/// Damerau-Levenshtein distance (optimal string alignment).
size_t edit_distance(std::string_view a, std::string_view b);

class reader {
public:
  reader(std::string file, const expansion_context& ctx, diagnostics& out)
      : file_(std::move(file)), ctx_(ctx), out_(out) {}

  void report(const YAML::Mark& at, const std::string& path, std::string message,
              severity level = severity::error);
  void error(const YAML::Node& at, const std::string& path, std::string message) {
    report(at.Mark(), path, std::move(message));
  }

  /// The errors reported so far (all readers sharing the diagnostics list).
  size_t error_count() const { return count(out_, severity::error); }

  const std::string& file() const { return file_; }
  const expansion_context& context() const { return ctx_; }

  /// A scalar's text with references expanded. nullopt after reporting a wrong type or a failed
  /// expansion, or (without an error) when the value depends on a deferred credential.
  std::optional<std::string> text(const YAML::Node& node, const std::string& path,
                                  bool is_secret = false, const char* expected = "a string");

  std::optional<std::string> string(const YAML::Node& node, const std::string& path,
                                    bool non_empty = true);
  std::optional<secret> secret_value(const YAML::Node& node, const std::string& path);
  std::optional<bool> boolean(const YAML::Node& node, const std::string& path);
  std::optional<uint64_t> integer(const YAML::Node& node, const std::string& path, uint64_t min,
                                  uint64_t max);
  std::optional<double> number(const YAML::Node& node, const std::string& path, double min);
  std::optional<std::chrono::milliseconds> duration(const YAML::Node& node, const std::string& path,
                                                    std::chrono::milliseconds min = {});
  std::optional<uint64_t> byte_size(const YAML::Node& node, const std::string& path);
  std::optional<std::string> url(const YAML::Node& node, const std::string& path);
  /// A list of non-empty strings (a single string is taken as a list of one).
  std::optional<std::vector<std::string>> string_list(const YAML::Node& node,
                                                      const std::string& path);
  /// A map of string to string.
  std::optional<std::map<std::string, std::string>>
  string_map(const YAML::Node& node, const std::string& path, bool secret_values = false);

  template <class E>
  std::optional<E> enumeration(const YAML::Node& node, const std::string& path, const char* what) {
    auto t = text(node, path);
    if (!t)
      return std::nullopt;
    if (auto e = enum_from_name<E>(*t))
      return e;
    error(node, path,
          "invalid " + std::string{what} + " " + quote(node) + "; expected " + enum_choices<E>() +
              suggestion(*t, enum_names<E>::values));
    return std::nullopt;
  }

  /// The raw scalar (as written, before expansion) in quotes for messages; "(value not shown)"
  /// for long values and values with '=', '+' or ';' (what keys and connection strings contain).
  std::string quote(const YAML::Node& node) const;

private:
  template <class Values>
  static std::string suggestion(std::string_view got, const Values& values) {
    std::string best;
    size_t best_d = 3;
    for (auto& [v, name] : values) {
      auto d = edit_distance(got, name);
      if (d < best_d) {
        best_d = d;
        best = std::string{name};
      }
    }
    return best.empty() ? std::string{} : " (did you mean '" + best + "'?)";
  }

  std::string file_;
  const expansion_context& ctx_;
  diagnostics& out_;
};

/// Reads one YAML map: hands out its values by key and, in finish(), reports every key that was
/// never asked for as unknown (with the closest known key when one is within edit distance 2).
class map_reader {
public:
  /// Reports an error unless `node` is a map (then ok() is false and get() finds nothing).
  map_reader(reader& r, const YAML::Node& node, std::string path);

  bool ok() const { return ok_; }
  const YAML::Node& node() const { return node_; }
  const std::string& path() const { return path_; }
  std::string path(std::string_view key) const { return join(path_, key); }
  reader& rd() { return r_; }

  /// The value of `key` or an undefined node; marks `key` as known.
  YAML::Node get(std::string_view key);
  bool has(std::string_view key) { return get(key).IsDefined(); }
  /// Like get, and reports "missing required key" when absent.
  YAML::Node require(std::string_view key);
  /// Marks keys as known without reading them.
  void allow(std::initializer_list<std::string_view> keys);
  /// Reports that `key` is present but not allowed here, with the reason.
  void reject(std::string_view key, const std::string& why);

  /// Reports unknown keys; `context` (e.g. "for sink type http") is appended to the message.
  void finish(const std::string& context = {});

  /// The position of `key` itself (for errors about a key), or of the map.
  YAML::Mark key_mark(std::string_view key) const;

  // Shorthands that read `key` into `out` when present (and report errors otherwise).
  void read(std::string_view key, std::string& out, bool required = false);
  void read(std::string_view key, secret& out, bool required = false);
  void read(std::string_view key, bool& out);
  void read(std::string_view key, std::chrono::milliseconds& out,
            std::chrono::milliseconds min = {});
  template <class E>
  void read_enum(std::string_view key, E& out, const char* what) {
    if (auto n = get(key); n.IsDefined())
      if (auto v = r_.enumeration<E>(n, path(key), what))
        out = *v;
  }
  template <class Int>
  void read_int(std::string_view key, Int& out, uint64_t min, uint64_t max) {
    if (auto n = get(key); n.IsDefined())
      if (auto v = r_.integer(n, path(key), min, max))
        out = static_cast<Int>(*v);
  }

private:
  struct entry {
    std::string key;
    YAML::Node key_node;
    YAML::Node value;
    bool null_reported = false;
  };
  reader& r_;
  YAML::Node node_;
  std::string path_;
  bool ok_ = false;
  std::vector<entry> entries_;
  std::set<std::string, std::less<>> known_;
};

} // namespace bulkd::yaml
