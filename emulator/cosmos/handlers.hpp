#pragma once

// Internal to the Cosmos routes: the request being served and the handlers per resource type.

#include "clients/cosmos/resource_path.hpp"
#include "emulator/cosmos/cosmos_service.hpp"

#include <caf/error.hpp>

#include <cstddef>
#include <string>
#include <string_view>

namespace httplib {
struct Request;
struct Response;
} // namespace httplib

namespace bulkd::emulator::cosmos {

struct request_context {
  const httplib::Request& req;
  httplib::Response& res;
  const bulkd::cosmos::resource_address& addr;
  cosmos_service& service;
};

/// The 401 message when the request is not correctly signed, empty when it is.
std::string check_authorization(const request_context& ctx);

void handle_account(request_context& ctx);
void handle_databases(request_context& ctx);                             // /dbs and /dbs/{db}
void handle_containers(request_context& ctx, const database_record& db); // /colls[/{c}]
void handle_pkranges(request_context& ctx, const container_record& coll);
void handle_documents(request_context& ctx, const container_record& coll);

/// The container of /dbs/{db}/colls/{c}/...: by name or, on RID-based paths, by its RID.
caf::expected<std::optional<container_record>> find_container(request_context& ctx,
                                                              const database_record& db);

// Helpers shared by the handlers.
void put_header(httplib::Response& res, const std::string& name, const std::string& value);
void write_json(httplib::Response& res, int status, std::string body);
void set_charge(httplib::Response& res, double charge);
/// 500 with the store's message.
void write_store_error(httplib::Response& res, const caf::error& err);
/// Request units: 1 per started KB read, 5 per started KB written, at least one KB.
double read_charge(size_t bytes);
double write_charge(size_t bytes);
/// True for "true"/"True"/"TRUE".
bool header_is_true(const httplib::Request& req, const char* name);
/// Resource ids: 1..255 characters, none of / \ ? #. Empty when fine, else the 400 message.
std::string check_resource_id(std::string_view id);
/// The collection RID number for a container key (collection_word makes it injective).
uint32_t collection_number(int64_t key);
/// The container key for a parsed collection word.
int64_t container_key(uint32_t collection_word);

} // namespace bulkd::emulator::cosmos
