#pragma once

// Splitting a physical partition key range (POST /_emulator/split): where to cut, and the route.
//
//   POST /_emulator/split
//   {"db": "db1", "coll": "c1", "range": "2"}
//   -> 200 {"db":"db1","coll":"c1","parent":{...},"children":[{...},{...}],"topology":2}
//
// The children are listed like the pkranges feed lists ranges (id, minInclusive, maxExclusive,
// parents, _lsn) plus "documents" (how many moved into each). Errors are Cosmos-shaped JSON:
// 400 for a malformed body or a range too narrow to cut, 404 for an unknown database, container
// or range, 400 for a range that was split already (the message names its children).

#include <caf/expected.hpp>

#include <string>

namespace httplib {
struct Request;
struct Response;
} // namespace httplib

namespace bulkd::emulator::cosmos {

class cosmos_service;

/// The EPK halfway between `min` and `max` (a range's bounds, "" and "FF" the ends) in the hashed
/// key space of `hash_version`: V2 (and MultiHash) the masked 128-bit hash [0, 2^126), V1 the
/// 32-bit hash as V1 EPKs encode it. An error when no EPK lies strictly between them.
caf::expected<std::string> epk_midpoint(const std::string& min, const std::string& max,
                                        int hash_version);

/// POST /_emulator/split.
void handle_split(cosmos_service& service, const httplib::Request& req, httplib::Response& res);

} // namespace bulkd::emulator::cosmos
