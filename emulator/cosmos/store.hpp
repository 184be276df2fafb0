#pragma once

// The emulator's Cosmos data in SQLite: databases, containers (with their partition key definition
// and physical ranges), documents and per-range LSN counters.
//
// Durability: WAL journal with synchronous=NORMAL. A commit is in the WAL file (the OS's page
// cache) before the write is answered, so every acknowledged write survives the emulator being
// killed (kill -9, a crash): that is the promise, tested by tests/e2e/emulator_kill9_test.cpp.
// Only at checkpoints does SQLite fsync, so a power cut or kernel crash may lose the last
// acknowledged writes (the database stays consistent). FULL (an fsync per commit) held the store
// mutex for the fsync and capped bulk ingest; a test endpoint does not need to survive power loss.
//
// Thread safety: one connection and one mutex; every public function is atomic (writes are one
// transaction each). Documents are stored without their system properties (_rid, _self, _etag,
// _ts, _attachments, _lsn); the routes add them from the record's columns.

#include <caf/expected.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace bulkd::emulator::cosmos {

class sqlite_connection;

struct database_record {
  uint32_t number = 0; // the database RID's number
  std::string id;
  std::string etag; // quoted
  int64_t ts = 0;
};

struct range_record {
  std::string id;      // "0", "1", ...
  uint64_t number = 0; // the pkrange RID's child number
  std::string min;     // EPK, inclusive
  std::string max;     // EPK, exclusive
  std::vector<std::string> parents;
  int64_t lsn = 0; // the last LSN written in this range
  std::string etag;
  int64_t ts = 0;
};

struct container_record {
  int64_t key = 0; // the row; the collection RID's number
  uint32_t db_number = 0;
  std::string db_id;
  std::string id;
  std::string body;          // the container resource without system properties (JSON text)
  std::string partition_key; // the definition (JSON text, kind and version explicit)
  std::string etag;
  int64_t ts = 0;
  int64_t topology = 1;             // version of the set of ranges (etag of the pkranges feed)
  std::vector<range_record> ranges; // current ranges, ordered by min
};

struct document_record {
  std::string id;
  std::string pk; // the key in header form, e.g. ["p1"]
  std::string range_id;
  std::string epk;
  uint64_t number = 0; // the document RID's child number
  std::string body;    // without system properties
  std::string etag;    // quoted
  int64_t ts = 0;
  int64_t lsn = 0;
};

enum class write_mode { create, upsert, replace, remove };

struct document_write {
  int64_t container = 0;
  write_mode mode = write_mode::create;
  std::string id;
  std::string pk;
  std::string range_id;
  std::string epk;
  std::string body;                    // ignored for remove
  std::optional<std::string> if_match; // checked against the current etag when the doc exists
};

struct write_outcome {
  /// 201 created, 200 replaced, 204 deleted; 404 missing, 409 exists, 412 etag mismatch (then
  /// `doc` is empty and nothing changed).
  int status = 0;
  document_record doc;
  int64_t range_lsn = 0; // the range's LSN after the operation
};

struct document_read {
  std::optional<document_record> doc;
  int64_t range_lsn = 0;
};

/// A page of the documents of one container: the ReadFeed (ordered by RID number) or the change
/// feed of one range (ordered by LSN; every document once, at its latest write).
struct document_scan {
  int64_t container = 0;
  std::string range_id;          // empty: every range (ReadFeed only)
  std::optional<std::string> pk; // one logical partition (header form)
  std::string epk_min;           // inclusive, uppercase hex; empty: no bound
  std::string epk_max;           // exclusive, uppercase hex; empty: no bound
  bool by_lsn = false;           // change feed: order by LSN, `after` is an LSN
  int64_t after = 0;             // strictly greater number (ReadFeed) or LSN (change feed)
  int64_t since_ts = 0;          // only documents written at or after this time (seconds)
  size_t limit = 100;
};

struct scan_page {
  std::vector<document_record> docs;
  bool more = false;       // further documents match after the last one returned
  int64_t range_lsn = 0;   // the range's current LSN (when range_id is set), read atomically
  bool range_gone = false; // range_id was split (the caller answers 410/1002)
};

/// What store::split_range did.
struct split_outcome {
  /// 200 split; 404 no such range; 410 the range was split already (`children` are the current
  /// ranges descending from it); 400 `at` is not strictly inside the range.
  int status = 0;
  range_record parent;
  std::vector<range_record> children; // the two new ranges, ordered by min
  std::vector<size_t> moved;          // documents now in each child
  int64_t topology = 0;               // the container's new topology version
};

class store;

/// Document reads and writes inside one transaction of store::transact (batch, patch).
class document_transaction {
public:
  caf::expected<std::optional<document_record>> read(int64_t container, const std::string& pk,
                                                     const std::string& id);
  /// Like store::write_document; a failed status (404/409/412) changes nothing.
  caf::expected<write_outcome> write(const document_write& write);

private:
  friend class store;
  explicit document_transaction(store& owner) : owner_(owner) {}
  store& owner_;
};

class store {
public:
  struct impl; // internal: emulator/cosmos/store_impl.hpp

  /// Opens `path` (created when missing) or ":memory:" and creates the schema.
  static caf::expected<std::unique_ptr<store>> open(const std::string& path);
  ~store();

  /// nullopt: a database with this id exists.
  caf::expected<std::optional<database_record>> create_database(const std::string& id);
  caf::expected<std::optional<database_record>> database(const std::string& id);
  caf::expected<std::optional<database_record>> database_by_number(uint32_t number);
  caf::expected<std::vector<database_record>> databases();
  /// false: no such database. Deletes its containers and documents.
  caf::expected<bool> delete_database(const std::string& id);

  /// nullopt: the container exists (or the database is missing; check first). `ranges` are
  /// (min, max) pairs covering the EPK space.
  caf::expected<std::optional<container_record>>
  create_container(uint32_t db_number, const std::string& id, const std::string& body,
                   const std::string& partition_key,
                   const std::vector<std::pair<std::string, std::string>>& ranges);
  caf::expected<std::optional<container_record>> container(uint32_t db_number,
                                                           const std::string& id);
  caf::expected<std::optional<container_record>> container_by_key(int64_t key);
  caf::expected<std::vector<container_record>> containers(uint32_t db_number);
  caf::expected<bool> delete_container(uint32_t db_number, const std::string& id);

  caf::expected<document_read> read_document(int64_t container, const std::string& range_id,
                                             const std::string& pk, const std::string& id);
  caf::expected<write_outcome> write_document(const document_write& write);

  /// Runs body in one transaction: committed when it returns true, rolled back on false or an
  /// error. Returns what body returned.
  caf::expected<bool>
  transact(const std::function<caf::expected<bool>(document_transaction&)>& body);

  /// The documents of a container (of one range and/or one key when given), ordered by range,
  /// then EPK, then id.
  caf::expected<std::vector<document_record>>
  query_documents(int64_t container, const std::optional<std::string>& range_id,
                  const std::optional<std::string>& pk);
  caf::expected<scan_page> scan_documents(const document_scan& scan);

  /// Replaces online range `range_id` by two children cut at EPK `at`: fresh ids (the container's
  /// next ones), parents = the parent's parents + its id, LSN counters continuing from the
  /// parent's. Documents move to the child holding their EPK; the parent stays as a gone range
  /// (its writes and feeds are refused by the routes) and the topology version goes up.
  caf::expected<split_outcome> split_range(int64_t container, const std::string& range_id,
                                           const std::string& at);

private:
  store();
  caf::error init(const std::string& path);
  caf::expected<std::vector<range_record>> load_ranges(int64_t container);
  caf::expected<std::optional<container_record>> load_container(const std::string& where, int64_t a,
                                                                const std::string* b);

  friend class document_transaction;
  friend caf::expected<write_outcome> apply_write(impl& s, const document_write& w);
  std::unique_ptr<impl> impl_;
};

} // namespace bulkd::emulator::cosmos
