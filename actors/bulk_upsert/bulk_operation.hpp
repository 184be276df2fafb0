#pragma once

// Turns an input record into one operation of a bulk request body, in the JSON wire form
// ({"operationType":"Upsert","partitionKey":"[\"k\"]","resourceBody":{...}}), without parsing the
// document for upsert/create/replace (its text goes in as is) and remembering where it sits so
// the record can be recovered for dead letters and re-routing without keeping a second copy.

#include "jobs/bulk_upsert/input_record.hpp"
#include "jobs/bulk_upsert_spec.hpp"

#include <caf/expected.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace bulkd {

struct bulk_operation {
  std::string json;         // the operation, ready to join into "[op,op,...]"
  uint32_t body_offset = 0; // where the document starts in `json` (when embedded)
  uint32_t body_length = 0; // 0: the document is not embedded (delete, patch)
  std::string document;     // the record's text when not embedded (kept for dead letters)

  /// The record's document text.
  std::string_view record() const {
    if (body_length > 0)
      return std::string_view{json}.substr(body_offset, body_length);
    return document;
  }
};

/// Builds the operation for `op`. For patch, each patch_operation takes its value from the
/// record at value_from (ec::invalid_argument "patch: the record has no value at /x" when
/// missing, or when incr's value is not a number). Delete, replace and patch need the id.
caf::expected<bulk_operation> make_bulk_operation(const input_record& rec, write_operation op,
                                                  const std::vector<patch_operation>& patch);

} // namespace bulkd
