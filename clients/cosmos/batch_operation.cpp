#include "clients/cosmos/batch_operation.hpp"

#include "clients/error.hpp"

#include <nlohmann/json.hpp>

namespace bulkd::cosmos {

namespace {

caf::error bad(operation_type type, std::string why) {
  return make_error(ec::invalid_argument,
                    std::string{"invalid "} + to_string(type) + " operation: " + std::move(why));
}

bool looks_like_object(std::string_view body) {
  auto first = body.find_first_not_of(" \t\r\n");
  auto last = body.find_last_not_of(" \t\r\n");
  return first != std::string_view::npos && body[first] == '{' && body[last] == '}';
}

} // namespace

const char* to_string(operation_type type) {
  switch (type) {
  case operation_type::create:
    return "Create";
  case operation_type::upsert:
    return "Upsert";
  case operation_type::replace:
    return "Replace";
  case operation_type::read:
    return "Read";
  case operation_type::remove:
    return "Delete";
  case operation_type::patch:
    return "Patch";
  }
  return "?";
}

caf::expected<std::string> serialize(const batch_operation& op) {
  bool needs_id = op.type != operation_type::create && op.type != operation_type::upsert;
  bool needs_body = op.type != operation_type::read && op.type != operation_type::remove;
  if (needs_id && op.id.empty())
    return bad(op.type, "it needs an id");
  if (needs_body && !looks_like_object(op.resource_body))
    return bad(op.type, "it needs a resource body that is a JSON object");
  if (!needs_body && !op.resource_body.empty())
    return bad(op.type, "it takes no resource body");
  std::string out = R"({"operationType":")";
  out += to_string(op.type);
  out += '"';
  if (op.include_partition_key) {
    out += R"(,"partitionKey":)";
    out += nlohmann::json(to_header(op.key)).dump();
  }
  if (needs_id) {
    out += R"(,"id":)";
    out += nlohmann::json(op.id).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  if (needs_body) {
    out += R"(,"resourceBody":)";
    out += op.resource_body;
  }
  if (!op.if_match.empty()) {
    out += R"(,"ifMatch":)";
    out +=
        nlohmann::json(op.if_match).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  out += '}';
  return out;
}

} // namespace bulkd::cosmos
