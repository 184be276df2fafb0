#pragma once

// A change-feed job: consumes a container's change feed and delivers every change to a sink.

#include "jobs/duration.hpp"
#include "jobs/enum_names.hpp"
#include "jobs/job_common.hpp"
#include "jobs/secret.hpp"
#include "jobs/timestamp.hpp"

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace bulkd {

enum class lease_store_kind { file, cosmos };
enum class failure_policy { dead_letter, stop };

template <>
struct enum_names<lease_store_kind> {
  static constexpr std::array<std::pair<lease_store_kind, std::string_view>, 2> values{{
      {lease_store_kind::file, "file"},
      {lease_store_kind::cosmos, "cosmos"},
  }};
};

template <>
struct enum_names<failure_policy> {
  static constexpr std::array<std::pair<failure_policy, std::string_view>, 2> values{{
      {failure_policy::dead_letter, "dead-letter"},
      {failure_policy::stop, "stop"},
  }};
};

/// `start_from`: `beginning`, `now`, or an RFC 3339 time. Only used when a range has no lease yet.
struct start_position {
  enum kind_t { beginning, now, time } kind = now;
  utc_time at{}; // when kind == time

  friend bool operator==(const start_position&, const start_position&) = default;
};

struct feed_source : container_ref {
  start_position start_from;

  friend bool operator==(const feed_source&, const feed_source&) = default;
};

struct lease_spec {
  lease_store_kind store = lease_store_kind::file;
  container_ref container; // store cosmos only; account and database default to the source's
  duration renew_interval = std::chrono::seconds{17};
  duration acquire_interval = std::chrono::seconds{13};
  duration expiration = std::chrono::seconds{60}; // > renew_interval
  std::string instance_name;                      // empty = the host name at run time

  friend bool operator==(const lease_spec&, const lease_spec&) = default;
};

struct jsonl_sink {
  std::string path;
  std::optional<uint64_t> rotate; // start a new file past this size; absent = never
  bool fsync = true;              // fsync before acking a batch

  friend bool operator==(const jsonl_sink&, const jsonl_sink&) = default;
};

struct http_sink {
  std::string url;                       // http or https; each batch is POSTed as a JSON array
  std::map<std::string, secret> headers; // values are treated as secrets (Authorization, keys)
  duration timeout = std::chrono::seconds{30};
  retry_policy retry;

  friend bool operator==(const http_sink&, const http_sink&) = default;
};

struct cosmos_sink {
  container_ref target;

  friend bool operator==(const cosmos_sink&, const cosmos_sink&) = default;
};

struct exec_sink {
  /// argv; a string in the spec becomes {"/bin/sh", "-c", string}. Each batch goes to stdin as
  /// JSON lines; exit status 0 acks it.
  std::vector<std::string> command;
  duration timeout = std::chrono::seconds{60};

  friend bool operator==(const exec_sink&, const exec_sink&) = default;
};

using sink_spec = std::variant<jsonl_sink, http_sink, cosmos_sink, exec_sink>;

/// The `type:` spelling of a sink.
const char* sink_type_name(const sink_spec& sink);

struct change_feed_spec {
  feed_source source;
  lease_spec leases;
  duration poll_interval = std::chrono::seconds{1};
  uint32_t max_batch = 500; // changes per read, 1..10000
  sink_spec sink;
  failure_policy on_failure = failure_policy::stop; // when the sink keeps failing after retries
  dead_letter_spec dead_letter;
  retry_policy retry;

  friend bool operator==(const change_feed_spec&, const change_feed_spec&) = default;
};

} // namespace bulkd
