#include "actors/http_worker.hpp"

#include "clients/error.hpp"

#include <caf/all.hpp>

namespace bulkd {

http_worker_actor::behavior_type http_worker(http_worker_actor::pointer self,
                                             std::shared_ptr<http_transport> transport,
                                             std::function<void(const http_request&)> before_send) {
  self->set_exception_handler([](std::exception_ptr& e) -> caf::error {
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& x) {
      return make_error(ec::worker_failed, std::string{"http worker died: "} + x.what());
    } catch (...) {
      return make_error(ec::worker_failed, "http worker died: unknown exception");
    }
  });
  return {
      [transport, before_send](http_atom, http_request& req) -> caf::result<http_response> {
        if (before_send)
          before_send(req);
        auto res = transport->send(std::move(req));
        if (!res)
          return std::move(res.error());
        return std::move(*res);
      },
      [transport](http_ready_atom,
                  std::chrono::milliseconds delay) -> caf::result<http_ready_atom> {
        if (!transport->pause(delay))
          return make_error(ec::shutting_down, "http worker stopped while restarting");
        return http_ready_atom::value;
      },
  };
}

} // namespace bulkd
