#pragma once

// Internals shared by store.cpp and store_documents.cpp.

#include "emulator/cosmos/sqlite.hpp"
#include "emulator/cosmos/store.hpp"

#include <mutex>

namespace bulkd::emulator::cosmos {

struct store::impl {
  std::mutex mutex;
  sqlite_connection db;

  /// A fresh quoted etag; call inside a transaction (the counter lives in the meta table).
  caf::expected<std::string> next_etag(int64_t ts);
};

int64_t now_seconds();

/// A document by key and id; call with the lock held.
caf::expected<std::optional<document_record>> find_document(sqlite_connection& db,
                                                            int64_t container,
                                                            const std::string& pk,
                                                            const std::string& id);

/// One write without lock or transaction of its own; failed statuses change nothing.
caf::expected<write_outcome> apply_write(store::impl& s, const document_write& w);

} // namespace bulkd::emulator::cosmos
