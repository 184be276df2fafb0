#pragma once

// A change-feed lease: who processes one feed range and how far it got.
//
// Both lease stores write the same JSON object per lease. The field names are those of the Azure
// SDKs' Change Feed Processor lease documents, so that someone who knows those recognises them:
//
//   {"id":"orders-feed..3","LeaseToken":"3",
//    "FeedRange":{"Range":{"min":"3F","max":"7F"}},
//    "Owner":"host-a",                  // "" or null = free
//    "ContinuationToken":"\"42\"",       // the change-feed etag of the last checkpoint; null =
//    none "timestamp":"2026-11-21T19:30:00.250Z",   // set by every update (renew, checkpoint, ...)
//    "Parent":"1",                      // bulkd's own: the LeaseToken this range was split from
//    "StartFrom":"beginning",           // bulkd's own: where a lease without continuation starts
//    "_etag":"\"00000011-0000\""}        // Cosmos sets it; the file store keeps a counter here
//
// They are not interchangeable with the SDKs' documents (no "version", "Mode" or "properties";
// bulkd's id prefix is its own), so an SDK processor and bulkd must not share a lease prefix.
// On reading, unknown fields (Cosmos' _rid, _ts, _self, ...) are ignored.

#include "clients/cosmos/epk_range.hpp"
#include "jobs/duration.hpp"
#include "jobs/timestamp.hpp"

#include <caf/expected.hpp>
#include <caf/meta/type_name.hpp>

#include <string>
#include <string_view>
#include <vector>

namespace bulkd {

/// A feed range to hold a lease for: the partition key range id and its EPK bounds [min, max).
struct lease_range {
  std::string token; // the pkrange id, e.g. "0"
  std::string min;   // EPK hex, "" = the start of the key space
  std::string max;   // EPK hex, "FF" = the end

  cosmos::epk_range epk() const { return {min, max}; }

  friend bool operator==(const lease_range&, const lease_range&) = default;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, lease_range& x) {
  return f(caf::meta::type_name("lease_range"), x.token, x.min, x.max);
}

struct lease {
  std::string id;           // the document id: <prefix>..<token>
  lease_range range;        // LeaseToken and FeedRange
  std::string owner;        // empty = free
  std::string continuation; // empty = never checkpointed: start where start_from says
  utc_time timestamp{};     // the last update by anyone (renew, acquire, checkpoint, release)
  std::string parent;       // the token of the lease this one replaced after a split, if any
  /// Where the range starts while `continuation` is empty: "beginning", "now" or an RFC 3339
  /// time (see start_position.hpp), recorded when the lease was created or reset. Empty = not
  /// recorded (older leases): the job's start_from applies.
  std::string start_from;
  /// The store's optimistic-concurrency token: Cosmos' _etag, the file store's counter. An update
  /// names the token it saw; a different current token is a conflict.
  std::string etag;

  bool free() const { return owner.empty(); }

  /// No update for longer than `expiration` (SDK rule: timestamp + expiration < now). A free
  /// lease counts as expired too: both may be taken without stealing.
  bool expired(utc_time now, duration expiration) const {
    return free() || timestamp + expiration < now;
  }

  friend bool operator==(const lease&, const lease&) = default;
};

template <class Inspector>
typename Inspector::result_type inspect(Inspector& f, lease& x) {
  return f(caf::meta::type_name("lease"), x.id, x.range, x.owner, x.continuation, x.timestamp,
           x.parent, x.start_from, x.etag);
}

/// "<prefix>..<token>": the SDKs' separator between prefix and lease token.
std::string lease_id(std::string_view prefix, std::string_view token);

/// The prefix bulkd uses for a job's leases: the job name, then the monitored database and
/// container, so that pointing a job at another container does not reuse its continuations.
std::string lease_prefix(std::string_view job, std::string_view database,
                         std::string_view container);

/// The JSON object above, compact. `_etag` is written only when `with_etag` (the file store's
/// counter); Cosmos sets its own.
std::string to_json(const lease& l, bool with_etag = false);

/// Parses one lease object (e.g. a Cosmos document). ec::parse_error names the field that is
/// missing or has the wrong type; unknown fields are ignored.
caf::expected<lease> parse_lease(std::string_view json_text);

/// The ranges among `wanted` that no lease in `existing` covers yet: a range is covered by a
/// lease with the same token or by one whose feed range overlaps it (a parent that has not been
/// split yet: its worker meets the split and hands its continuation down). The result keeps the
/// order of `wanted`.
std::vector<lease_range> missing_ranges(const std::vector<lease>& existing,
                                        const std::vector<lease_range>& wanted);

} // namespace bulkd
