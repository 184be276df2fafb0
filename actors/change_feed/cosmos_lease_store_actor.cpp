#include "actors/change_feed/cosmos_lease_store_actor.hpp"

#include "actors/exception_handler.hpp"
#include "clients/cosmos/feed_page.hpp"
#include "clients/cosmos/service_error.hpp"
#include "clients/error.hpp"
#include "jobs/change_feed/lease_update.hpp"

#include <caf/actor_cast.hpp>
#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/local_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <caf/typed_response_promise.hpp>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <memory>

namespace bulkd {

namespace {

// Conditional writes that keep meeting 412 while the lease is still ours give up after this.
constexpr int max_update_attempts = 5;

template <class T>
using reply = std::function<void(caf::expected<T>)>;

struct cosmos_lease_store_state {
  std::optional<cosmos_lease_store_config> cfg;
  std::shared_ptr<cosmos_container_session> session;
  bool open = false;
  bool opening = false;
  std::vector<std::function<void(caf::error)>> waiting; // requests before the container is open
};

using self_ptr = caf::stateful_actor<cosmos_lease_store_state>*;

const cosmos_lease_store_config& cfg_of(self_ptr self) {
  return *self->state.cfg;
}

utc_time now_of(self_ptr self) {
  auto& clock = cfg_of(self).clock;
  return clock ? clock() : lease_now();
}

cosmos::partition_key key_of(const std::string& id) {
  return cosmos::partition_key{cosmos::pk_value{id}};
}

bool success(const http_response& res) {
  return res.status >= 200 && res.status < 300;
}

// An answer none of the callers expects: the service's error with what was asked.
caf::error failure(const std::string& what, const http_response& res) {
  auto err = cosmos::parse_service_error(res);
  if (!err)
    return make_error(ec::http_error, what + ": HTTP " + std::to_string(res.status));
  auto out = cosmos::to_error(*err);
  auto code = static_cast<ec>(out.code());
  auto text = render(out);
  auto head = std::string{to_string(code)} + ": ";
  if (text.rfind(head, 0) == 0)
    text.erase(0, head.size());
  return make_error(code, what + ": " + text);
}

std::string container_name(self_ptr self) {
  auto& c = cfg_of(self).container;
  return c.database + "/" + c.container;
}

// The lease as the service stored it: the answer's body when there is one (Prefer:
// return=minimal leaves it out), else what was sent with the answer's etag.
caf::expected<lease> written(lease sent, const http_response& res) {
  if (!res.body.empty()) {
    auto parsed = parse_lease(res.body);
    if (parsed && !parsed->etag.empty())
      return parsed;
  }
  auto etag = res.headers.value("etag");
  if (etag.empty())
    return make_error(ec::parse_error,
                      "lease " + sent.range.token + ": the write's answer has no etag");
  sent.etag = std::move(etag);
  return sent;
}

void send(self_ptr self, std::function<http_request()> make,
          std::function<void(caf::expected<http_response>)> done) {
  self->state.session->send(self, std::move(make), std::move(done));
}

void when_open(self_ptr self, std::function<void(caf::error)> next) {
  auto& st = self->state;
  if (st.open) {
    next(caf::none);
    return;
  }
  st.waiting.push_back(std::move(next));
  if (st.opening)
    return;
  st.opening = true;
  std::optional<cosmos_create_spec> create;
  if (cfg_of(self).create_if_missing)
    create = cosmos_create_spec{"/id", *cfg_of(self).create_if_missing};
  st.session->open(self, create, [self](caf::expected<cosmos_container_info> info) {
    auto& st = self->state;
    caf::error err;
    if (!info) {
      err = make_error(static_cast<ec>(info.error().code()),
                       "lease container " + container_name(self) + ": " + render(info.error()));
    } else if (info->properties.partition_key.paths != std::vector<std::string>{"/id"}) {
      std::string paths;
      for (auto& p : info->properties.partition_key.paths)
        paths += (paths.empty() ? "" : ",") + p;
      err =
          make_error(ec::invalid_argument, "lease container " + container_name(self) +
                                               " must be partitioned by /id, not [" + paths + "]");
    }
    st.opening = false;
    st.open = !err; // a failed open is tried again by the next request
    auto waiting = std::move(st.waiting);
    st.waiting.clear();
    for (auto& w : waiting)
      w(err);
  });
}

void read_lease(self_ptr self, const std::string& id, const std::string& token, reply<lease> done) {
  send(
      self,
      [self, id] {
        return self->state.session->builder().read_document(cfg_of(self).container, id, key_of(id));
      },
      [self, token, done](caf::expected<http_response> res) {
        if (!res)
          return done(res.error());
        if (res->status == 404)
          return done(lease_gone(token));
        if (!success(*res))
          return done(failure("reading lease " + token, *res));
        auto parsed = parse_lease(res->body);
        if (!parsed)
          return done(make_error(ec::parse_error, "lease " + token + " in " + container_name(self) +
                                                      ": " + render(parsed.error())));
        done(std::move(*parsed));
      });
}

void list_page(self_ptr self, std::string continuation, std::shared_ptr<std::vector<lease>> acc,
               reply<std::vector<lease>> done) {
  auto prefix = nlohmann::json(lease_id(cfg_of(self).prefix, "")).dump();
  send(
      self,
      [self, prefix, continuation] {
        cosmos::query_options options;
        options.continuation = continuation;
        auto req = self->state.session->builder().query_documents(
            cfg_of(self).container, "SELECT * FROM c WHERE STARTSWITH(c.id, @prefix)",
            {{"@prefix", prefix}}, options);
        return req ? std::move(*req) : http_request{}; // the parameters are always valid
      },
      [self, acc, done](caf::expected<http_response> res) {
        if (!res)
          return done(res.error());
        if (!success(*res))
          return done(failure("listing leases in " + container_name(self), *res));
        auto page = cosmos::parse_feed_page(*res);
        if (!page)
          return done(make_error(ec::parse_error, "listing leases in " + container_name(self) +
                                                      ": " + render(page.error())));
        for (auto& doc : page->documents) {
          auto parsed = parse_lease(doc);
          if (!parsed)
            return done(make_error(ec::parse_error, "a lease document in " + container_name(self) +
                                                        ": " + render(parsed.error()) + ": " +
                                                        doc.substr(0, 200)));
          acc->push_back(std::move(*parsed));
        }
        if (!page->continuation.empty())
          return list_page(self, page->continuation, acc, done);
        std::sort(acc->begin(), acc->end(), [](const lease& a, const lease& b) {
          if (a.range.token.size() != b.range.token.size())
            return a.range.token.size() < b.range.token.size();
          return a.range.token < b.range.token;
        });
        done(std::move(*acc));
      });
}

void list(self_ptr self, reply<std::vector<lease>> done) {
  list_page(self, {}, std::make_shared<std::vector<lease>>(), std::move(done));
}

// Creates `l`; an existing document with its id is read and returned instead.
void create_lease(self_ptr self, lease l, reply<lease> done) {
  auto body = to_json(l);
  send(
      self,
      [self, id = l.id, body] {
        return self->state.session->builder().create_document(cfg_of(self).container, key_of(id),
                                                              body);
      },
      [self, l, done](caf::expected<http_response> res) {
        if (!res)
          return done(res.error());
        if (res->status == 409)
          return read_lease(self, l.id, l.range.token, done);
        if (!success(*res))
          return done(failure("creating lease " + l.range.token, *res));
        done(written(l, *res));
      });
}

void create_all(self_ptr self, std::shared_ptr<std::vector<lease>> todo, size_t i,
                std::shared_ptr<std::vector<lease>> out, reply<std::vector<lease>> done) {
  if (i == todo->size())
    return done(std::move(*out));
  create_lease(self, (*todo)[i], [self, todo, i, out, done](caf::expected<lease> l) {
    if (!l)
      return done(l.error());
    out->push_back(std::move(*l));
    create_all(self, todo, i + 1, out, done);
  });
}

// renew, checkpoint and release: applied to `current`, written with If-Match; on 412 applied
// again to a fresh copy while the lease is still ours.
void update(self_ptr self, lease current, lease_change what, std::string continuation, int attempt,
            reply<lease> done) {
  auto next = apply_change(current, what, cfg_of(self).instance, now_of(self), continuation);
  if (!next)
    return done(next.error());
  auto body = to_json(*next);
  send(
      self,
      [self, id = current.id, body, etag = current.etag] {
        return self->state.session->builder().replace_document(
            cfg_of(self).container, id, key_of(id), body, cosmos::write_options{etag});
      },
      [self, sent = *next, what, continuation, attempt, done](caf::expected<http_response> res) {
        if (!res)
          return done(res.error());
        if (res->status == 404)
          return done(lease_gone(sent.range.token));
        if (res->status == 412) {
          if (attempt + 1 >= max_update_attempts)
            return done(make_error(ec::conflict, "lease " + sent.range.token + ": " +
                                                     to_string(what) + " kept meeting 412 (" +
                                                     std::to_string(max_update_attempts) +
                                                     " attempts)"));
          return read_lease(self, sent.id, sent.range.token,
                            [self, what, continuation, attempt, done](caf::expected<lease> fresh) {
                              if (!fresh)
                                return done(fresh.error());
                              update(self, std::move(*fresh), what, continuation, attempt + 1,
                                     done);
                            });
        }
        if (!success(*res))
          return done(
              failure(std::string{to_string(what)} + " of lease " + sent.range.token, *res));
        done(written(sent, *res));
      });
}

void acquire(self_ptr self, const lease& seen, reply<lease> done) {
  auto next = apply_change(seen, lease_change::acquire, cfg_of(self).instance, now_of(self));
  if (!next)
    return done(next.error());
  auto body = to_json(*next);
  send(
      self,
      [self, id = seen.id, body, etag = seen.etag] {
        return self->state.session->builder().replace_document(
            cfg_of(self).container, id, key_of(id), body, cosmos::write_options{etag});
      },
      [self, sent = *next, done](caf::expected<http_response> res) {
        if (!res)
          return done(res.error());
        if (res->status == 404)
          return done(lease_gone(sent.range.token));
        if (res->status == 412)
          return read_lease(self, sent.id, sent.range.token, [self, done](caf::expected<lease> l) {
            if (!l)
              return done(l.error());
            // Ours: an earlier attempt of this request went through before a retry.
            if (l->owner == cfg_of(self).instance)
              return done(std::move(*l));
            done(acquire_conflict(*l));
          });
        if (!success(*res))
          return done(failure("acquiring lease " + sent.range.token, *res));
        done(written(sent, *res));
      });
}

void delete_parent(self_ptr self, lease parent, int attempt, std::vector<lease> children,
                   reply<std::vector<lease>> done) {
  send(
      self,
      [self, id = parent.id, etag = parent.etag] {
        return self->state.session->builder().delete_document(
            cfg_of(self).container, id, key_of(id), cosmos::write_options{etag});
      },
      [self, parent, attempt, children, done](caf::expected<http_response> res) mutable {
        if (!res)
          return done(res.error());
        if (success(*res) || res->status == 404)
          return done(std::move(children));
        if (res->status != 412)
          return done(failure("deleting split lease " + parent.range.token, *res));
        if (attempt + 1 >= max_update_attempts)
          return done(make_error(ec::conflict, "lease " + parent.range.token +
                                                   ": delete after split kept meeting 412"));
        read_lease(self, parent.id, parent.range.token,
                   [self, attempt, children, done](caf::expected<lease> fresh) mutable {
                     if (!fresh) {
                       if (fresh.error().code() == static_cast<uint8_t>(ec::not_found))
                         return done(std::move(children));
                       return done(fresh.error());
                     }
                     if (fresh->owner != cfg_of(self).instance)
                       return done(apply_change(*fresh, lease_change::renew, cfg_of(self).instance,
                                                now_of(self))
                                       .error());
                     delete_parent(self, std::move(*fresh), attempt + 1, std::move(children), done);
                   });
      });
}

void split(self_ptr self, const lease& parent, std::vector<lease_range> ranges,
           reply<std::vector<lease>> done) {
  read_lease(self, parent.id, parent.range.token,
             [self, ranges = std::move(ranges), done](caf::expected<lease> current) {
               if (!current)
                 return done(current.error());
               if (current->owner != cfg_of(self).instance)
                 return done(apply_change(*current, lease_change::renew, cfg_of(self).instance,
                                          now_of(self))
                                 .error());
               auto now = now_of(self);
               auto todo = std::make_shared<std::vector<lease>>();
               for (auto& range : ranges) {
                 lease child;
                 child.id = lease_id(cfg_of(self).prefix, range.token);
                 child.range = range;
                 child.owner = cfg_of(self).instance;
                 child.continuation = current->continuation;
                 child.timestamp = now;
                 child.parent = current->range.token;
                 child.start_from = current->start_from;
                 todo->push_back(std::move(child));
               }
               create_all(self, todo, 0, std::make_shared<std::vector<lease>>(),
                          [self, parent = *current, done](caf::expected<std::vector<lease>> xs) {
                            if (!xs)
                              return done(xs.error());
                            delete_parent(self, parent, 0, std::move(*xs), done);
                          });
             });
}

template <class T>
reply<T> deliver_to(caf::typed_response_promise<T> rp) {
  return [rp](caf::expected<T> x) mutable {
    if (x)
      rp.deliver(std::move(*x));
    else
      rp.deliver(std::move(x.error()));
  };
}

// Runs `op` once the container is open; the promise gets the open error otherwise.
template <class T>
caf::typed_response_promise<T> after_open(self_ptr self, std::function<void(reply<T>)> op) {
  auto rp = self->make_response_promise<T>();
  auto done = deliver_to(rp);
  when_open(self, [op = std::move(op), done](caf::error err) {
    if (err)
      return done(std::move(err));
    op(done);
  });
  return rp;
}

caf::behavior cosmos_lease_store(self_ptr self, cosmos_lease_store_config cfg) {
  install_exception_handler(self);
  auto& st = self->state;
  if (!cfg.builder) {
    auto err = make_error(ec::invalid_argument, "cosmos lease store without a request builder");
    self->quit(err);
    return {};
  }
  st.session = cosmos_container_session::make(*cfg.builder, cfg.pool, cfg.container, cfg.session);
  st.cfg = std::move(cfg);
  caf::message_handler own{
      [self](lease_list_atom) -> caf::result<std::vector<lease>> {
        return after_open<std::vector<lease>>(
            self, [self](reply<std::vector<lease>> done) { list(self, done); });
      },
      [self](lease_create_atom, std::vector<lease_range> ranges,
             std::string start_from) -> caf::result<std::vector<lease>> {
        return after_open<std::vector<lease>>(self, [self, ranges,
                                                     start_from](reply<std::vector<lease>> done) {
          list(self, [self, ranges, start_from, done](caf::expected<std::vector<lease>> existing) {
            if (!existing)
              return done(existing.error());
            auto todo = std::make_shared<std::vector<lease>>();
            auto now = now_of(self);
            for (auto& range : missing_ranges(*existing, ranges)) {
              lease l;
              l.id = lease_id(cfg_of(self).prefix, range.token);
              l.range = range;
              l.timestamp = now;
              l.start_from = start_from;
              todo->push_back(std::move(l));
            }
            if (todo->empty())
              return done(std::move(*existing));
            create_all(self, todo, 0, std::make_shared<std::vector<lease>>(),
                       [self, done](caf::expected<std::vector<lease>> created) {
                         if (!created)
                           return done(created.error());
                         list(self, done);
                       });
          });
        });
      },
      [self](lease_acquire_atom, lease seen) -> caf::result<lease> {
        return after_open<lease>(self,
                                 [self, seen](reply<lease> done) { acquire(self, seen, done); });
      },
      [self](lease_renew_atom, lease held) -> caf::result<lease> {
        return after_open<lease>(self, [self, held](reply<lease> done) {
          update(self, held, lease_change::renew, {}, 0, done);
        });
      },
      [self](lease_checkpoint_atom, lease held, std::string continuation) -> caf::result<lease> {
        return after_open<lease>(self, [self, held, continuation](reply<lease> done) {
          update(self, held, lease_change::checkpoint, continuation, 0, done);
        });
      },
      [self](lease_release_atom, lease held) -> caf::result<lease> {
        return after_open<lease>(self, [self, held](reply<lease> done) {
          update(self, held, lease_change::release, {}, 0, done);
        });
      },
      [self](lease_split_atom, lease parent,
             std::vector<lease_range> children) -> caf::result<std::vector<lease>> {
        return after_open<std::vector<lease>>(
            self, [self, parent, children](reply<std::vector<lease>> done) {
              split(self, parent, children, done);
            });
      },
  };
  return own.or_else(deferred_calls());
}

} // namespace

lease_store_actor spawn_cosmos_lease_store(caf::actor_system& sys,
                                           cosmos_lease_store_config config) {
  return caf::actor_cast<lease_store_actor>(sys.spawn(cosmos_lease_store, std::move(config)));
}

lease_store_actor spawn_cosmos_lease_store(caf::local_actor* parent,
                                           cosmos_lease_store_config config) {
  return caf::actor_cast<lease_store_actor>(parent->spawn(cosmos_lease_store, std::move(config)));
}

} // namespace bulkd
