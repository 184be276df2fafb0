#pragma once

// Builds the http_requests of the Cosmos DB gateway protocol: the common headers (x-ms-date,
// x-ms-version, authorization, ...) and one function per operation bulkd uses. Sans I/O: the
// requests go to http_pool, the answers to the response parsers.

#include "clients/cosmos/authorization.hpp"
#include "clients/cosmos/epk_range.hpp"
#include "clients/cosmos/http_date.hpp"
#include "clients/cosmos/partition_key.hpp"
#include "clients/cosmos/partition_key_definition.hpp"
#include "clients/http_request.hpp"
#include "clients/tls_options.hpp"

#include <caf/expected.hpp>

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace bulkd::cosmos {

/// The API version every current SDK sends (and the captures show).
inline constexpr std::string_view api_version = "2020-07-15";

struct request_options {
  std::string user_agent = "bulkd";
  /// x-ms-consistency-level on every request when set (Strong, BoundedStaleness, Session,
  /// Eventual, ConsistentPrefix); the account's default otherwise.
  std::optional<std::string> consistency_level;
  std::chrono::milliseconds timeout = std::chrono::seconds{30};
  tls_options tls;
  /// "Prefer: return=minimal" on writes, batches and bulk: no document bodies in the answers
  /// (less traffic, and bulk responses stay far below the 4 MB that causes 413/3402).
  bool minimal_write_responses = false;
};

/// A container by name.
struct container_ref {
  std::string database;
  std::string container;

  /// "dbs/{db}/colls/{c}", ids raw (as signed).
  std::string link() const;
};

/// Throughput for creating a database or container: manual RU/s (x-ms-offer-throughput) or
/// autoscale (x-ms-cosmos-offer-autopilot-settings); none = serverless or shared.
struct throughput {
  std::optional<int> manual;
  std::optional<int> autoscale_max;
};

enum class change_feed_mode { latest_version, all_versions_and_deletes };

struct change_feed_options {
  change_feed_mode mode = change_feed_mode::latest_version;
  /// If-None-Match: the etag of the previous page to continue, or "*" to start now. Empty and
  /// without start_time: from the beginning.
  std::string if_none_match;
  /// If-Modified-Since: changes from this time on (only without if_none_match).
  std::optional<http_time> start_time;
  /// x-ms-max-item-count; none = the service's default.
  std::optional<int> max_item_count;
  /// Scope, one of: a physical range (optionally narrowed to an EPK sub-range), or one logical
  /// partition.
  std::optional<std::string> range_id;
  std::optional<epk_range> epk;
  std::optional<partition_key> key;
};

struct query_options {
  /// One logical partition; without it (and without range_id) the query is cross-partition.
  std::optional<partition_key> key;
  /// One physical range (x-ms-documentdb-partitionkeyrangeid).
  std::optional<std::string> range_id;
  std::optional<int> max_item_count;
  /// x-ms-continuation from the previous page.
  std::string continuation;
};

/// A query parameter: its name ("@p") and its value as JSON text ("\"p1\"", "5", "true").
struct query_parameter {
  std::string name;
  std::string value;
};

/// Which If-Match / preconditions a write carries.
struct write_options {
  /// If-Match: the etag the document must still have.
  std::string if_match;
};

class request_builder {
public:
  using clock = std::function<std::chrono::system_clock::time_point()>;

  /// `endpoint` is the account's origin, e.g. "https://acct.documents.azure.com:443/".
  static caf::expected<request_builder> make(std::string_view endpoint, credential cred,
                                             request_options options = {});

  /// The time x-ms-date is taken from (tests inject a fixed one).
  void set_clock(clock now) { now_ = std::move(now); }

  /// Replaces the credential (e.g. a refreshed AAD token).
  void set_credential(credential cred) { cred_ = std::move(cred); }

  const std::string& origin() const { return origin_; }

  // Account, databases, containers.
  http_request get_account() const;
  http_request read_database(std::string_view database) const;
  http_request create_database(std::string_view database, const throughput& offer = {}) const;
  http_request delete_database(std::string_view database) const;
  http_request read_container(const container_ref& c) const;
  http_request delete_container(const container_ref& c) const;
  http_request create_container(const container_ref& c, const partition_key_definition& pk,
                                const throughput& offer = {}) const;

  /// GET .../pkranges: the current ranges (the JS SDK's ReadFeed form).
  http_request read_pkranges(const container_ref& c) const;
  /// The change-feed form: A-IM: Incremental Feed, x-ms-max-item-count: -1 and, after the first
  /// call, If-None-Match with the previous response's etag (304 when nothing changed).
  http_request read_pkranges_changes(const container_ref& c, std::string_view if_none_match) const;

  // Documents. Bodies are JSON text, sent as given.
  http_request create_document(const container_ref& c, const partition_key& key,
                               std::string body) const;
  http_request upsert_document(const container_ref& c, const partition_key& key, std::string body,
                               const write_options& options = {}) const;
  http_request replace_document(const container_ref& c, std::string_view id,
                                const partition_key& key, std::string body,
                                const write_options& options = {}) const;
  http_request delete_document(const container_ref& c, std::string_view id,
                               const partition_key& key, const write_options& options = {}) const;
  http_request read_document(const container_ref& c, std::string_view id,
                             const partition_key& key) const;
  /// `operations` is the JSON array of patch operations. Without a condition it is the body (as
  /// the JS SDK sends it); with one the body is {"operations":[...],"condition":"..."}.
  caf::expected<http_request> patch_document(const container_ref& c, std::string_view id,
                                             const partition_key& key, std::string_view operations,
                                             std::string_view condition = {},
                                             const write_options& options = {}) const;

  /// A SQL query (POST .../docs, application/query+json). The service evaluates it; queries
  /// that need a client-side plan across ranges (ORDER BY, aggregates over several ranges) are
  /// answered with 400/1004, which bulkd does not handle. ec::invalid_argument for a parameter
  /// whose name does not start with '@' or whose value is not JSON, or a key with a range id.
  caf::expected<http_request> query_documents(const container_ref& c, std::string_view query,
                                              const std::vector<query_parameter>& parameters = {},
                                              const query_options& options = {}) const;

  /// A transactional batch: all operations in one logical partition, all or nothing.
  http_request transactional_batch(const container_ref& c, const partition_key& key,
                                   std::string body) const;
  /// A bulk request: the operations of one physical range, each on its own
  /// (x-ms-cosmos-batch-atomic: false, continue-on-error).
  http_request bulk(const container_ref& c, std::string_view range_id, std::string body) const;

  /// A change-feed page. ec::invalid_argument for contradicting options (two scopes, an EPK
  /// range without range id, a continuation and a start time).
  caf::expected<http_request> change_feed(const container_ref& c,
                                          const change_feed_options& options) const;

private:
  request_builder() = default;

  /// A request with the common headers, signed for `type` and `link`; `path_link` is the link
  /// of the request path (the resource, or the feed under its parent).
  http_request make_request(std::string_view method, std::string_view path_link,
                            std::string_view type, std::string_view signed_link) const;

  /// Content-Type, body and, when configured, Prefer: return=minimal.
  void set_write_body(http_request& req, std::string body, bool json_content_type = true) const;

  http_request document_request(std::string_view method, const container_ref& c,
                                std::string_view id, const partition_key& key) const;

  std::string origin_;
  std::optional<credential> cred_;
  request_options options_;
  clock now_;
};

} // namespace bulkd::cosmos
