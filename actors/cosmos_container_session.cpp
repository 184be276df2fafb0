#include "actors/cosmos_container_session.hpp"

#include "actors/backoff.hpp"
#include "clients/cosmos/error_classification.hpp"
#include "clients/cosmos/partition_key_range.hpp"
#include "clients/cosmos/service_error.hpp"
#include "clients/error.hpp"

#include <caf/event_based_actor.hpp>
#include <caf/message_handler.hpp>

namespace bulkd {

namespace {

caf::error describe_failure(const http_request& req, const http_response& res) {
  auto err = cosmos::parse_service_error(res);
  if (!err)
    return make_error(ec::http_error, describe(req) + ": HTTP " + std::to_string(res.status));
  auto out = cosmos::to_error(*err);
  auto code = static_cast<ec>(out.code());
  // render() says "unauthorized: HTTP 401 ..."; the code travels in the error already.
  auto text = render(out);
  auto prefix = std::string{to_string(code)} + ": ";
  if (text.rfind(prefix, 0) == 0)
    text.erase(0, prefix.size());
  return make_error(code, describe(req) + ": " + text);
}

} // namespace

bool transient_transport_error(const caf::error& err) {
  if (err.category() != error_category())
    return true; // e.g. the pool or a worker went down: worth another try
  switch (static_cast<ec>(err.code())) {
  case ec::tls_error:
  case ec::invalid_argument:
  case ec::unauthorized:
  case ec::shutting_down:
    return false;
  default:
    return true;
  }
}

void run_later(caf::event_based_actor* self, std::chrono::milliseconds delay,
               std::function<void()> fn) {
  if (delay.count() <= 0)
    self->send(self, later_atom::value, deferred_call{std::move(fn)});
  else
    self->delayed_send(self, delay, later_atom::value, deferred_call{std::move(fn)});
}

caf::message_handler deferred_calls() {
  return {[](later_atom, const deferred_call& call) {
    if (call.fn)
      call.fn();
  }};
}

caf::expected<cosmos::request_builder> make_request_builder(const account_config& account,
                                                            cosmos::request_options options) {
  if (account.auth == account_auth::credential)
    return make_error(ec::not_implemented,
                      "account " + account.name +
                          ": Entra ID (AAD) credentials are not supported by `bulkd run` yet; "
                          "use key or connection_string");
  auto cred = cosmos::credential::from_master_key(account.key.reveal());
  if (!cred)
    return make_error(ec::invalid_argument,
                      "account " + account.name + ": " + render(cred.error()));
  options.tls = account.tls;
  options.minimal_write_responses = true;
  auto builder =
      cosmos::request_builder::make(account.endpoint, std::move(*cred), std::move(options));
  if (!builder)
    return make_error(ec::invalid_argument,
                      "account " + account.name + ": " + render(builder.error()));
  return builder;
}

cosmos_container_session::cosmos_container_session(cosmos::request_builder builder,
                                                   http_pool_actor pool,
                                                   cosmos::container_ref container,
                                                   cosmos_session_options options)
    : builder_(std::make_shared<const cosmos::request_builder>(std::move(builder))),
      pool_(std::move(pool)), container_(std::move(container)), options_(std::move(options)) {}

std::shared_ptr<cosmos_container_session>
cosmos_container_session::make(cosmos::request_builder builder, http_pool_actor pool,
                               cosmos::container_ref container, cosmos_session_options options) {
  return std::make_shared<cosmos_container_session>(std::move(builder), std::move(pool),
                                                    std::move(container), std::move(options));
}

void cosmos_container_session::send(caf::event_based_actor* self,
                                    std::function<http_request()> make, response_handler done) {
  send_attempt(self, std::make_shared<std::function<http_request()>>(std::move(make)),
               std::move(done), 0);
}

void cosmos_container_session::send_attempt(caf::event_based_actor* self,
                                            std::shared_ptr<std::function<http_request()>> make,
                                            response_handler done, uint32_t attempt) {
  auto me = shared_from_this();
  auto req = (*make)();
  auto what = describe(req);
  auto retry = [self, me, make, done, attempt](std::chrono::milliseconds least, caf::error last) {
    if (attempt + 1 >= me->options_.max_attempts) {
      done(std::move(last));
      return;
    }
    backoff_policy policy{me->options_.initial_backoff, me->options_.max_backoff};
    auto delay = std::max(least, std::chrono::duration_cast<std::chrono::milliseconds>(
                                     backoff_delay(policy, attempt, {})));
    run_later(self, delay,
              [self, me, make, done, attempt] { me->send_attempt(self, make, done, attempt + 1); });
  };
  self->request(pool_, caf::infinite, http_atom::value, std::move(req))
      .then(
          [req_desc = what, done, retry](http_response& res) {
            if (res.status >= 400) {
              auto err = cosmos::parse_service_error(res);
              auto decision = err ? cosmos::classify(*err) : cosmos::classify(res.status, 0);
              if (decision.action == cosmos::retry_action::retry) {
                retry(decision.delay,
                      make_error(ec::http_error, req_desc + ": " + decision.reason));
                return;
              }
            }
            done(std::move(res));
          },
          [done, retry](caf::error& err) {
            // Resets, timeouts, refused connections and an overloaded pool are transient; a TLS
            // problem or a request that cannot be sent is not.
            if (!transient_transport_error(err)) {
              done(std::move(err));
              return;
            }
            retry(std::chrono::milliseconds{0}, std::move(err));
          });
}

void cosmos_container_session::open(caf::event_based_actor* self,
                                    std::optional<cosmos_create_spec> create, open_handler done) {
  read_container(self, std::move(create), false, std::move(done));
}

void cosmos_container_session::read_container(caf::event_based_actor* self,
                                              std::optional<cosmos_create_spec> create,
                                              bool created, open_handler done) {
  auto me = shared_from_this();
  send(
      self, [me] { return me->builder_->read_container(me->container_); },
      [self, me, create, created, done](caf::expected<http_response> res) {
        if (!res) {
          done(res.error());
          return;
        }
        auto req = me->builder_->read_container(me->container_);
        if (res->status == 404 && create && !created) {
          me->create_container(self, *create, done);
          return;
        }
        if (res->status == 404) {
          done(make_error(ec::not_found, "container " + me->container_.link() +
                                             " does not exist (set target.create_if_missing "
                                             "to create it)"));
          return;
        }
        if (res->status != 200) {
          done(describe_failure(req, *res));
          return;
        }
        auto props = cosmos::parse_container_properties(res->body);
        if (!props) {
          done(make_error(ec::parse_error,
                          "container " + me->container_.link() + ": " + render(props.error())));
          return;
        }
        me->read_routing(self, [done, props = std::move(*props),
                                created](caf::expected<cosmos::routing_map> map) mutable {
          if (!map) {
            done(map.error());
            return;
          }
          done(cosmos_container_info{std::move(props), std::move(*map), created});
        });
      });
}

void cosmos_container_session::create_container(caf::event_based_actor* self,
                                                const cosmos_create_spec& create,
                                                open_handler done) {
  auto me = shared_from_this();
  auto definition = cosmos::make_partition_key_definition({create.partition_key_path},
                                                          cosmos::partition_kind::hash, 2);
  if (!definition) {
    done(make_error(ec::invalid_argument,
                    "create_if_missing.partition_key: " + render(definition.error())));
    return;
  }
  cosmos::throughput offer;
  if (create.throughput)
    offer.manual = static_cast<int>(*create.throughput);
  auto create_db = [me] { return me->builder_->create_database(me->container_.database); };
  send(self, create_db,
       [self, me, definition = *definition, offer, create, done,
        create_db](caf::expected<http_response> res) {
         if (!res) {
           done(res.error());
           return;
         }
         // 409: the database exists already, which is fine.
         if (res->status != 201 && res->status != 409) {
           done(describe_failure(create_db(), *res));
           return;
         }
         auto create_coll = [me, definition, offer] {
           return me->builder_->create_container(me->container_, definition, offer);
         };
         me->send(self, create_coll,
                  [self, me, create, done, create_coll](caf::expected<http_response> res) {
                    if (!res) {
                      done(res.error());
                      return;
                    }
                    if (res->status != 201 && res->status != 409) {
                      done(describe_failure(create_coll(), *res));
                      return;
                    }
                    me->read_container(self, create, res->status == 201, done);
                  });
       });
}

void cosmos_container_session::read_routing(caf::event_based_actor* self, routing_handler done) {
  auto me = shared_from_this();
  struct pages {
    std::vector<cosmos::partition_key_range> ranges;
    std::string etag;
  };
  auto acc = std::make_shared<pages>();
  auto step = std::make_shared<std::function<void(std::string)>>();
  // The function refers to itself through a weak pointer; each pending request holds it.
  std::weak_ptr<std::function<void(std::string)>> weak = step;
  *step = [self, me, acc, done, weak](std::string continuation) {
    auto next = weak.lock();
    me->send(
        self,
        [me, continuation] {
          auto req = me->builder_->read_pkranges(me->container_);
          if (!continuation.empty())
            req.headers.set("x-ms-continuation", continuation);
          return req;
        },
        [me, acc, done, next](caf::expected<http_response> res) {
          if (!res) {
            done(res.error());
            return;
          }
          if (res->status != 200) {
            done(describe_failure(me->builder_->read_pkranges(me->container_), *res));
            return;
          }
          auto parsed = cosmos::parse_pkranges(*res);
          if (!parsed) {
            done(make_error(ec::parse_error, "pkranges of " + me->container_.link() + ": " +
                                                 render(parsed.error())));
            return;
          }
          for (auto& r : parsed->ranges)
            acc->ranges.push_back(std::move(r));
          if (acc->etag.empty())
            acc->etag = parsed->etag;
          auto cont = res->headers.value("x-ms-continuation");
          if (!cont.empty()) {
            (*next)(cont);
            return;
          }
          auto map = cosmos::routing_map::make(std::move(acc->ranges), acc->etag);
          if (!map) {
            done(make_error(ec::parse_error,
                            "pkranges of " + me->container_.link() + ": " + render(map.error())));
            return;
          }
          done(std::move(*map));
        });
  };
  (*step)(std::string{});
}

} // namespace bulkd
