#pragma once

// Internal to the Cosmos routes: the two feeds of GET .../docs.
//   ReadFeed (no A-IM): every document once, ordered by RID, paged with x-ms-max-item-count and
//     x-ms-continuation; all ranges, or one (x-ms-documentdb-partitionkeyrangeid) or one logical
//     partition (x-ms-documentdb-partitionkey).
//   Change feed (A-IM: Incremental Feed): one range, logical partition or EPK sub-range; every
//     changed document once at its latest version, ordered by _lsn. The etag is the quoted LSN
//     of the last change returned; If-None-Match takes it back (or "*" for now), If-Modified-Since
//     starts at a time; 304 when nothing is new.

#include "emulator/cosmos/handlers.hpp"

#include <string>

namespace bulkd::emulator::cosmos {

void handle_read_feed(request_context& ctx, const container_record& coll);
void handle_change_feed(request_context& ctx, const container_record& coll);

/// The stored body (a compact JSON object) with the system properties spliced in (documents.cpp).
std::string document_text(const container_record& coll, const document_record& doc);

} // namespace bulkd::emulator::cosmos
