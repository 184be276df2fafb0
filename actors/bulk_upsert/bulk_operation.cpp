#include "actors/bulk_upsert/bulk_operation.hpp"

#include "clients/cosmos/partition_key.hpp"
#include "clients/error.hpp"
#include "jobs/enum_names.hpp"

#include <nlohmann/json.hpp>

namespace bulkd {

namespace {

const char* wire_name(write_operation op) {
  switch (op) {
  case write_operation::upsert:
    return "Upsert";
  case write_operation::create:
    return "Create";
  case write_operation::replace:
    return "Replace";
  case write_operation::remove:
    return "Delete";
  case write_operation::patch:
    return "Patch";
  }
  return "Upsert";
}

const char* patch_name(patch_op op) {
  switch (op) {
  case patch_op::add:
    return "add";
  case patch_op::set:
    return "set";
  case patch_op::replace:
    return "replace";
  case patch_op::remove:
    return "remove";
  case patch_op::incr:
    return "incr";
  }
  return "set";
}

caf::expected<std::string> patch_body(const input_record& rec,
                                      const std::vector<patch_operation>& patch) {
  nlohmann::json doc;
  bool parsed = false;
  auto ops = nlohmann::json::array();
  for (auto& p : patch) {
    nlohmann::json one{{"op", patch_name(p.op)}, {"path", p.path}};
    if (p.op != patch_op::remove) {
      if (!parsed) {
        doc = nlohmann::json::parse(rec.document, nullptr, false);
        if (doc.is_discarded())
          return make_error(ec::invalid_argument, "patch: the record is not valid JSON");
        parsed = true;
      }
      nlohmann::json::json_pointer ptr;
      try {
        ptr = nlohmann::json::json_pointer{p.value_from};
      } catch (const std::exception&) {
        return make_error(ec::invalid_argument,
                          "patch: value_from " + p.value_from + " is not a JSON pointer");
      }
      if (!doc.contains(ptr))
        return make_error(ec::invalid_argument,
                          "patch: the record has no value at " + p.value_from);
      auto& value = doc.at(ptr);
      if (p.op == patch_op::incr && !value.is_number())
        return make_error(ec::invalid_argument, "patch: incr needs a number at " + p.value_from);
      one["value"] = value;
    }
    ops.push_back(std::move(one));
  }
  nlohmann::json body{{"operations", std::move(ops)}};
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// A JSON string literal (quotes, backslashes and control characters escaped).
void append_string_literal(std::string& out, std::string_view text) {
  static constexpr char hex[] = "0123456789abcdef";
  out += '"';
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (u < 0x20) {
      out += "\\u00";
      out += hex[u >> 4];
      out += hex[u & 0xF];
    } else {
      out += c;
    }
  }
  out += '"';
}

} // namespace

caf::expected<bulk_operation> make_bulk_operation(const input_record& rec, write_operation op,
                                                  const std::vector<patch_operation>& patch) {
  bool needs_id = op != write_operation::upsert && op != write_operation::create;
  if (needs_id && rec.id.empty())
    return make_error(ec::invalid_argument, std::string{enum_name(op)} + " needs the record's id");
  bulk_operation out;
  auto& j = out.json;
  j.reserve(rec.document.size() + 96);
  j += R"({"operationType":")";
  j += wire_name(op);
  j += R"(","partitionKey":)";
  append_string_literal(j, cosmos::to_header(rec.key));
  // Only status and charge come back, not the stored document: less work on both sides.
  j += R"(,"minimalReturnPreference":true)";
  if (needs_id) {
    j += R"(,"id":)";
    append_string_literal(j, rec.id);
  }
  switch (op) {
  case write_operation::upsert:
  case write_operation::create:
  case write_operation::replace:
    j += R"(,"resourceBody":)";
    out.body_offset = static_cast<uint32_t>(j.size());
    out.body_length = static_cast<uint32_t>(rec.document.size());
    j += rec.document;
    break;
  case write_operation::remove:
    out.document = rec.document;
    break;
  case write_operation::patch: {
    auto body = patch_body(rec, patch);
    if (!body)
      return body.error();
    j += R"(,"resourceBody":)";
    j += *body;
    out.document = rec.document;
    break;
  }
  }
  j += '}';
  return out;
}

} // namespace bulkd
