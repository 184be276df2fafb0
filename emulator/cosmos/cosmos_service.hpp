#pragma once

// The Cosmos DB part of the emulator: master-key authentication, the database account, databases,
// containers, partition key ranges and documents (point operations, patch, queries, batch/bulk,
// ReadFeed and the latest-version change feed), over the SQLite store.
// Not yet (they answer 501 or 400 with a message): the all-versions-and-deletes change feed,
// container replace, RID-based document paths, other resource types (offers, users, sprocs,
// ...). Database and container lists answer in one page.
// POST /_emulator/split splits a range for tests (range_split.hpp); the gone range then answers
// 410/1002 wherever a request names it.
//
//   auto db = bulkd::emulator::cosmos::store::open(":memory:");
//   auto svc = bulkd::emulator::cosmos::cosmos_service::make(config, std::move(*db));
//   (*svc)->register_routes(server.http());

#include "clients/cosmos/auth_signature.hpp"
#include "emulator/cosmos/store.hpp"

#include <caf/expected.hpp>

#include <memory>
#include <string>
#include <string_view>

namespace httplib {
class Server;
struct Request;
} // namespace httplib

namespace bulkd::emulator::cosmos {

/// The key of Microsoft's Cosmos DB emulator; public, for development only.
inline constexpr std::string_view well_known_key =
    "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==";

struct cosmos_config {
  std::string key;                           // base64 master key; empty: well_known_key
  unsigned ranges = 1;                       // physical ranges of every new container
  std::string account_id = "bulkd-emulator"; // not "localhost": JS would then ignore locations
  std::string scheme = "http"; // of the endpoint advertised in the account's locations
};

/// True for the paths the Cosmos routes serve: "/" and everything under /dbs.
bool is_cosmos_path(std::string_view path);

/// True for a bulk batch (x-ms-cosmos-is-batch-request: True, x-ms-cosmos-batch-atomic: False),
/// which fault injection throttles per operation as well (faults.hpp). Reads headers only.
bool is_bulk_batch(const httplib::Request& req);

class cosmos_service {
public:
  /// Checks the key and the number of ranges.
  static caf::expected<std::unique_ptr<cosmos_service>> make(cosmos_config config,
                                                             std::unique_ptr<store> data);

  /// Adds GET /, everything under /dbs and POST /_emulator/split. Before the server starts.
  void register_routes(httplib::Server& http);

  const cosmos_config& config() const { return config_; }
  const bulkd::cosmos::master_key& key() const { return key_; }
  store& data() { return *data_; }

private:
  cosmos_service(cosmos_config config, bulkd::cosmos::master_key key, std::unique_ptr<store> data);

  cosmos_config config_;
  bulkd::cosmos::master_key key_;
  std::unique_ptr<store> data_;
};

} // namespace bulkd::emulator::cosmos
