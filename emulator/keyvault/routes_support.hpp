#pragma once

// Internals of the Key Vault routes (routes.hpp): the request pipeline (challenge, faults,
// api-version, body), JSON answers and errors, paging tokens and the bundle shapes.

#include "clients/error.hpp"
#include "emulator/keyvault/routes.hpp"

#include <httplib.h>
#include <nlohmann/json.hpp>

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace bulkd::emulator::keyvault::rest {

/// One request that passed authentication and the api-version check.
struct call {
  const httplib::Request& req;
  httplib::Response& res;
  keyvault_context& ctx;
  std::string body;
  int64_t now = 0;

  /// The i-th capture of the route pattern.
  std::string arg(size_t i) const { return req.matches[i].str(); }
};

using operation = std::function<void(call&)>;

enum class verb { get, post, put, patch, del };

/// Registers `op` for `method` + `pattern` behind the request pipeline.
void route(httplib::Server& server, keyvault_context& ctx, verb method, const char* pattern,
           operation op);

void reply(call& c, int status, const nlohmann::json& body);
void reply_error(call& c, int status, std::string_view code, std::string_view message);

/// 404 KeyNotFound with the service's text for a key (optionally a version) or a deleted key.
void key_not_found(call& c, std::string_view name, std::string_view version = {});
void deleted_key_not_found(call& c, std::string_view name);

/// 409 Conflict for a name that is soft-deleted.
void name_is_deleted(call& c, std::string_view name);

/// The text of a bulkd error without its category.
std::string message_of(const caf::error& err);

/// Answers a store error (not_found -> KeyNotFound, conflict -> Conflict, others -> 500).
void store_error(call& c, const caf::error& err, std::string_view name,
                 std::string_view version = {});

/// The body as a JSON object, or nullopt after answering 400 BadParameter.
std::optional<nlohmann::json> json_body(call& c);

/// maxresults (1..25, default 25) and the $skiptoken, or nullopt after answering 400.
struct page_request {
  size_t max = 25;
  std::string token; // decoded; empty on the first page
};
std::optional<page_request> paging(call& c);

/// Sets "nextLink" of a list answer: absolute URL of this path with api-version, the encoded
/// token and maxresults, or null when `token` is empty.
void set_next_link(call& c, nlohmann::json& answer, const page_request& page,
                   const std::string& token);

/// KeyBundle: key (public JWK with kid and key_ops), attributes, tags (when any), managed (when
/// true).
nlohmann::json key_bundle(const keyvault_context& ctx, const key_record& record);

/// KeyItem: kid (with the version when `with_version`), attributes, tags, managed.
nlohmann::json key_item(const keyvault_context& ctx, const key_record& record, bool with_version);

/// DeletedKeyBundle / DeletedKeyItem: the above plus recoveryId, deletedDate, scheduledPurgeDate.
nlohmann::json deleted_bundle(const keyvault_context& ctx, const deleted_key_record& record);
nlohmann::json deleted_item(const keyvault_context& ctx, const deleted_key_record& record);

void register_key_routes(httplib::Server& server, keyvault_context& ctx);
void register_deleted_routes(httplib::Server& server, keyvault_context& ctx);
void register_backup_routes(httplib::Server& server, keyvault_context& ctx);

} // namespace bulkd::emulator::keyvault::rest
