#pragma once

// The text form of a change-feed start position (`start_from` in a spec, "StartFrom" in a
// lease): `beginning`, `now`, or an RFC 3339 time.

#include "jobs/change_feed/lease.hpp"
#include "jobs/change_feed_spec.hpp"

#include <caf/expected.hpp>

#include <string>
#include <string_view>

namespace bulkd {

/// "beginning", "now" or the time as format_rfc3339 writes it.
std::string to_string(const start_position& x);

/// ec::parse_error "expected beginning, now or an RFC 3339 time, not \"...\"" otherwise.
caf::expected<start_position> parse_start_position(std::string_view text);

/// Where a lease without continuation starts: its StartFrom, or `fallback` (the spec's
/// start_from) when the lease has none (or, not possible after parse_lease, an invalid one).
start_position start_of(const lease& l, const start_position& fallback);

} // namespace bulkd
