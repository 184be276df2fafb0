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

} // namespace bulkd::emulator::cosmos
