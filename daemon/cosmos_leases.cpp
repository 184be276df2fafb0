#include "daemon/cosmos_leases.hpp"

#include "actors/actor_system_setup.hpp"
#include "actors/change_feed/cosmos_lease_store_actor.hpp"
#include "actors/cosmos_container_session.hpp"
#include "actors/http_pool.hpp"
#include "clients/cosmos/service_error.hpp"
#include "clients/error.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/exit_reason.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include <chrono>
#include <functional>
#include <memory>

namespace bulkd {

namespace {

constexpr auto answer_timeout = std::chrono::minutes{2};

using done_atom = caf::atom_constant<caf::atom("cl_done")>;

// An actor system with an HTTP pool for one command; stops both on destruction.
struct one_shot {
  caf::actor_system_config cfg;
  caf::actor_system sys;
  http_pool_actor pool;

  one_shot() : sys((configure_actor_system(cfg), cfg)) {
    http_pool_config pc;
    pc.workers = 2;
    pool = spawn_http_pool(sys, pc);
  }

  ~one_shot() { caf::anon_send_exit(pool, caf::exit_reason::user_shutdown); }
};

std::string describe(const http_response& res) {
  auto err = cosmos::parse_service_error(res);
  if (!err)
    return "HTTP " + std::to_string(res.status);
  return render(cosmos::to_error(*err));
}

// Replaces leases[i..] one after the other; `done` gets the count or the first error.
void replace_from(caf::event_based_actor* self, std::shared_ptr<cosmos_container_session> session,
                  std::shared_ptr<const std::vector<lease>> leases, size_t i,
                  std::function<void(caf::expected<size_t>)> done) {
  if (i == leases->size())
    return done(i);
  const auto& l = (*leases)[i];
  auto make = [session, id = l.id, body = to_json(l), etag = l.etag] {
    return session->builder().replace_document(session->container(), id,
                                               cosmos::partition_key{cosmos::pk_value{id}}, body,
                                               cosmos::write_options{etag});
  };
  session->send(self, make, [self, session, leases, i, done](caf::expected<http_response> res) {
    const auto& token = (*leases)[i].range.token;
    if (!res)
      return done(res.error());
    if (res->status == 412 || res->status == 404)
      return done(make_error(ec::conflict,
                             "lease " + token +
                                 (res->status == 412 ? " changed since it was listed"
                                                     : " is gone (split or deleted)") +
                                 " (is an instance of the job running?); " + std::to_string(i) +
                                 " of " + std::to_string(leases->size()) + " leases were reset"));
    if (res->status < 200 || res->status >= 300)
      return done(make_error(ec::http_error, "replacing lease " + token + ": " + describe(*res)));
    replace_from(self, session, leases, i + 1, done);
  });
}

} // namespace

caf::expected<std::vector<lease>> list_cosmos_leases(const cosmos_lease_target& target) {
  auto builder = make_request_builder(target.account);
  if (!builder)
    return builder.error();
  one_shot env;
  cosmos_lease_store_config c;
  c.builder = std::move(*builder);
  c.pool = env.pool;
  c.container = {target.database, target.container};
  c.prefix = target.prefix;
  c.instance = "bulkd-checkpoint";
  auto store = spawn_cosmos_lease_store(env.sys, std::move(c));
  caf::expected<std::vector<lease>> out = make_error(ec::timeout, "no answer from the lease store");
  {
    caf::scoped_actor self{env.sys};
    self->request(store, answer_timeout, lease_list_atom::value)
        .receive([&](std::vector<lease>& xs) { out = std::move(xs); },
                 [&](caf::error& err) { out = std::move(err); });
    self->send_exit(store, caf::exit_reason::user_shutdown);
  }
  return out;
}

caf::expected<size_t> replace_cosmos_leases(const cosmos_lease_target& target,
                                            const std::vector<lease>& leases) {
  auto builder = make_request_builder(target.account);
  if (!builder)
    return builder.error();
  one_shot env;
  auto session = cosmos_container_session::make(std::move(*builder), env.pool,
                                                {target.database, target.container});
  auto todo = std::make_shared<const std::vector<lease>>(leases);
  auto worker = env.sys.spawn([session, todo](caf::event_based_actor* self) -> caf::behavior {
    return {
        [self, session, todo](done_atom) -> caf::result<size_t> {
          auto rp = self->make_response_promise<size_t>();
          replace_from(self, session, todo, 0, [rp](caf::expected<size_t> n) mutable {
            if (n)
              rp.deliver(*n);
            else
              rp.deliver(std::move(n.error()));
          });
          return rp;
        },
    };
  });
  caf::expected<size_t> out = make_error(ec::timeout, "no answer from the lease container");
  {
    caf::scoped_actor self{env.sys};
    self->request(worker, answer_timeout, done_atom::value)
        .receive([&](size_t n) { out = n; }, [&](caf::error& err) { out = std::move(err); });
    self->send_exit(worker, caf::exit_reason::user_shutdown);
  }
  return out;
}

} // namespace bulkd
