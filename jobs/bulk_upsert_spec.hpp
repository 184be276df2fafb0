#pragma once

// A bulk-upsert job: streams documents from files into a Cosmos DB container.

#include "jobs/duration.hpp"
#include "jobs/enum_names.hpp"
#include "jobs/job_common.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace bulkd {

enum class input_format { jsonl, csv, json_array };
enum class input_compression { auto_detect, none, gzip }; // auto: gzip iff the name ends in .gz
enum class csv_column_type { string, number, boolean, json };
enum class write_operation { upsert, create, replace, remove, patch };
enum class patch_op { add, set, replace, remove, incr };

template <>
struct enum_names<input_format> {
  static constexpr std::array<std::pair<input_format, std::string_view>, 3> values{{
      {input_format::jsonl, "jsonl"},
      {input_format::csv, "csv"},
      {input_format::json_array, "json-array"},
  }};
};

template <>
struct enum_names<input_compression> {
  static constexpr std::array<std::pair<input_compression, std::string_view>, 3> values{{
      {input_compression::auto_detect, "auto"},
      {input_compression::none, "none"},
      {input_compression::gzip, "gzip"},
  }};
};

template <>
struct enum_names<csv_column_type> {
  static constexpr std::array<std::pair<csv_column_type, std::string_view>, 4> values{{
      {csv_column_type::string, "string"},
      {csv_column_type::number, "number"},
      {csv_column_type::boolean, "boolean"},
      {csv_column_type::json, "json"},
  }};
};

template <>
struct enum_names<write_operation> {
  static constexpr std::array<std::pair<write_operation, std::string_view>, 5> values{{
      {write_operation::upsert, "upsert"},
      {write_operation::create, "create"},
      {write_operation::replace, "replace"},
      {write_operation::remove, "delete"},
      {write_operation::patch, "patch"},
  }};
};

template <>
struct enum_names<patch_op> {
  static constexpr std::array<std::pair<patch_op, std::string_view>, 5> values{{
      {patch_op::add, "add"},
      {patch_op::set, "set"},
      {patch_op::replace, "replace"},
      {patch_op::remove, "remove"},
      {patch_op::incr, "incr"},
  }};
};

struct csv_column {
  std::string name;
  csv_column_type type = csv_column_type::string;

  friend bool operator==(const csv_column&, const csv_column&) = default;
};

struct csv_options {
  char delimiter = ',';
  /// Types of named columns, in file order. The header row names the columns; columns not listed
  /// here are strings.
  std::vector<csv_column> columns;

  friend bool operator==(const csv_options&, const csv_options&) = default;
};

struct input_source {
  std::string path; // a glob (checked by glob_pattern::parse); `*` does not cross '/'
  input_format format = input_format::jsonl;
  input_compression compression = input_compression::auto_detect;
  csv_options csv; // only meaningful for format csv

  friend bool operator==(const input_source&, const input_source&) = default;
};

struct create_if_missing_spec {
  std::string partition_key;          // a JSON pointer such as /category
  std::optional<uint32_t> throughput; // manual RU/s (>= 400); absent = account default

  friend bool operator==(const create_if_missing_spec&, const create_if_missing_spec&) = default;
};

struct bulk_target : container_ref {
  std::optional<create_if_missing_spec> create_if_missing;

  friend bool operator==(const bulk_target&, const bulk_target&) = default;
};

struct patch_operation {
  patch_op op = patch_op::set;
  std::string path;       // JSON pointer in the stored document
  std::string value_from; // JSON pointer in the input record; empty for remove

  friend bool operator==(const patch_operation&, const patch_operation&) = default;
};

struct bulk_concurrency {
  uint32_t max_in_flight = 32; // requests in flight over all ranges, >= 1
  uint32_t mailbox = 16;       // unacknowledged batches per range worker, >= 1
  uint32_t batch = 100;        // operations per batch request, 1..100

  friend bool operator==(const bulk_concurrency&, const bulk_concurrency&) = default;
};

struct bulk_upsert_spec {
  input_source source;
  bulk_target target;
  std::string id_path = "/id";    // JSON pointer of the document id in each record
  bool generate_id = false;       // set a fresh UUID when the record has no id
  std::string partition_key_path; // override; empty = the container's partition key path
  write_operation operation = write_operation::upsert;
  std::vector<patch_operation> patch; // non-empty iff operation == patch
  bulk_concurrency concurrency;
  std::optional<uint64_t> max_ru_per_second; // rate_limit.max_ru_per_second; absent = no budget
  retry_policy retry;
  dead_letter_spec dead_letter;
  duration checkpoint_interval = std::chrono::seconds{5};

  friend bool operator==(const bulk_upsert_spec&, const bulk_upsert_spec&) = default;
};

} // namespace bulkd
