#pragma once

// A Cosmos DB container as actors use it: the account resolved from bulkd.yaml into a signed
// request_builder, the container read (or created with its database when create_if_missing),
// and its partition key ranges read into a routing map, again on demand after a split. Every
// request goes through http_pool; transient failures (429, 408, 449, 5xx, resets, timeouts) are
// retried with backoff. Sans state of its own beyond the builder: the owning actor keeps the
// session in its state and calls it with its own `self`.
//
//   auto session = cosmos_container_session::make(account, pool, {"shop", "products"});
//   session->open(self, create_spec, [=](caf::expected<cosmos_container_info> info) { ... });
//   session->read_routing(self, [=](caf::expected<cosmos::routing_map> map) { ... });

#include "actors/http_pool.hpp"
#include "clients/cosmos/container_properties.hpp"
#include "clients/cosmos/request_builder.hpp"
#include "clients/cosmos/routing_map.hpp"
#include "jobs/daemon_config.hpp"

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>
#include <caf/expected.hpp>
#include <caf/fwd.hpp>
#include <caf/message_handler.hpp>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

namespace bulkd {

/// A function an actor runs later in its own context (retry timers). Actors that use
/// run_later() must include deferred_calls() in their behavior.
struct deferred_call {
  std::function<void()> fn;
};

using later_atom = caf::atom_constant<caf::atom("later")>;

/// Runs `fn` in `self` after `delay` (at once for a zero delay, still as a message).
void run_later(caf::event_based_actor* self, std::chrono::milliseconds delay,
               std::function<void()> fn);

/// The handler for run_later's messages.
caf::message_handler deferred_calls();

/// Whether a transport error from http_pool is worth retrying (resets, timeouts, refused
/// connections, an overloaded pool) or not (TLS problems, requests that cannot be sent).
bool transient_transport_error(const caf::error& err);

/// What create_if_missing needs: the partition key path and the manual throughput (none = the
/// account's default).
struct cosmos_create_spec {
  std::string partition_key_path;
  std::optional<uint32_t> throughput;
};

struct cosmos_container_info {
  cosmos::container_properties properties;
  cosmos::routing_map routing;
  bool created = false; // the container did not exist and was created now
};

struct cosmos_session_options {
  uint32_t max_attempts = 10; // per request, for transient failures
  std::chrono::milliseconds initial_backoff{100};
  std::chrono::milliseconds max_backoff{5000};
  cosmos::request_options request;
};

/// Builds a request builder for an account of bulkd.yaml: master key (given directly or from the
/// connection string). AAD credentials are not wired yet (ec::not_implemented says so).
caf::expected<cosmos::request_builder> make_request_builder(const account_config& account,
                                                            cosmos::request_options options = {});

class cosmos_container_session : public std::enable_shared_from_this<cosmos_container_session> {
public:
  using open_handler = std::function<void(caf::expected<cosmos_container_info>)>;
  using routing_handler = std::function<void(caf::expected<cosmos::routing_map>)>;
  using response_handler = std::function<void(caf::expected<http_response>)>;

  static std::shared_ptr<cosmos_container_session> make(cosmos::request_builder builder,
                                                        http_pool_actor pool,
                                                        cosmos::container_ref container,
                                                        cosmos_session_options options = {});

  /// Reads the container; when it is missing and `create` is set, creates the database (an
  /// existing one is fine) and the container (V2 hash key), then reads its ranges.
  void open(caf::event_based_actor* self, std::optional<cosmos_create_spec> create,
            open_handler done);

  /// Reads the current partition key ranges (all pages) into a routing map.
  void read_routing(caf::event_based_actor* self, routing_handler done);

  /// Sends a request built by `make` (called again for every attempt, so each is signed with a
  /// fresh date) and retries transport failures and retryable statuses. Statuses that are not
  /// retryable (e.g. 404, 409) are handed to `done` as responses.
  void send(caf::event_based_actor* self, std::function<http_request()> make,
            response_handler done);

  const cosmos::request_builder& builder() const { return *builder_; }
  std::shared_ptr<const cosmos::request_builder> shared_builder() const { return builder_; }
  const http_pool_actor& pool() const { return pool_; }
  const cosmos::container_ref& container() const { return container_; }

  cosmos_container_session(cosmos::request_builder builder, http_pool_actor pool,
                           cosmos::container_ref container, cosmos_session_options options);

private:
  void send_attempt(caf::event_based_actor* self,
                    std::shared_ptr<std::function<http_request()>> make, response_handler done,
                    uint32_t attempt);
  void read_container(caf::event_based_actor* self, std::optional<cosmos_create_spec> create,
                      bool created, open_handler done);
  void create_container(caf::event_based_actor* self, const cosmos_create_spec& create,
                        open_handler done);

  std::shared_ptr<const cosmos::request_builder> builder_;
  http_pool_actor pool_;
  cosmos::container_ref container_;
  cosmos_session_options options_;
};

} // namespace bulkd

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(bulkd::deferred_call)
