#include "clients/cosmos/request_builder.hpp"

#include "clients/cosmos/resource_path.hpp"
#include "clients/error.hpp"
#include "clients/url.hpp"

#include <nlohmann/json.hpp>

namespace bulkd::cosmos {

namespace {

constexpr std::string_view json_type = "application/json";

std::string docs_link(const container_ref& c) {
  return c.link() + "/docs";
}

std::string doc_link(const container_ref& c, std::string_view id) {
  auto link = docs_link(c);
  link += '/';
  link += id;
  return link;
}

void add_throughput(http_request& req, const throughput& offer) {
  if (offer.manual)
    req.headers.add("x-ms-offer-throughput", std::to_string(*offer.manual));
  if (offer.autoscale_max)
    req.headers.add("x-ms-cosmos-offer-autopilot-settings",
                    nlohmann::json{{"maxThroughput", *offer.autoscale_max}}.dump());
}

// Ids and conditions come from users: invalid UTF-8 is replaced instead of throwing.
template <class Json>
std::string dump(const Json& json) {
  return json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void set_body(http_request& req, std::string body) {
  req.headers.add("Content-Type", std::string{json_type});
  req.body = std::move(body);
}

caf::error bad_option(std::string why) {
  return make_error(ec::invalid_argument, "invalid change feed options: " + std::move(why));
}

} // namespace

std::string container_ref::link() const {
  return "dbs/" + database + "/colls/" + container;
}

caf::expected<request_builder> request_builder::make(std::string_view endpoint, credential cred,
                                                     request_options options) {
  auto origin = parse_origin(endpoint);
  if (!origin)
    return origin.error();
  request_builder out;
  out.origin_ = origin->origin();
  out.cred_ = std::move(cred);
  out.options_ = std::move(options);
  out.now_ = [] { return std::chrono::system_clock::now(); };
  return out;
}

http_request request_builder::make_request(std::string_view method, std::string_view path_link,
                                           std::string_view type,
                                           std::string_view signed_link) const {
  http_request req;
  req.method = std::string{method};
  req.origin = origin_;
  req.target = request_path(path_link);
  req.timeout = options_.timeout;
  req.tls = options_.tls;
  auto date = format_http_date(now_());
  req.headers.add("x-ms-version", std::string{api_version});
  req.headers.add("User-Agent", options_.user_agent);
  req.headers.add("x-ms-date", date);
  req.headers.add("Accept", std::string{json_type});
  req.headers.add("authorization", cred_->authorization(method, type, signed_link, date));
  if (options_.consistency_level)
    req.headers.add("x-ms-consistency-level", *options_.consistency_level);
  return req;
}

void request_builder::set_write_body(http_request& req, std::string body,
                                     bool json_content_type) const {
  if (json_content_type)
    req.headers.add("Content-Type", std::string{json_type});
  if (options_.minimal_write_responses)
    req.headers.add("Prefer", "return=minimal");
  req.body = std::move(body);
}

http_request request_builder::get_account() const {
  return make_request("GET", "", "", "");
}

http_request request_builder::read_database(std::string_view database) const {
  auto link = "dbs/" + std::string{database};
  return make_request("GET", link, "dbs", link);
}

http_request request_builder::create_database(std::string_view database,
                                              const throughput& offer) const {
  auto req = make_request("POST", "dbs", "dbs", "");
  set_body(req, dump(nlohmann::json{{"id", database}}));
  add_throughput(req, offer);
  return req;
}

http_request request_builder::delete_database(std::string_view database) const {
  auto link = "dbs/" + std::string{database};
  return make_request("DELETE", link, "dbs", link);
}

http_request request_builder::delete_container(const container_ref& c) const {
  auto link = c.link();
  return make_request("DELETE", link, "colls", link);
}

http_request request_builder::read_container(const container_ref& c) const {
  auto link = c.link();
  return make_request("GET", link, "colls", link);
}

http_request request_builder::create_container(const container_ref& c,
                                               const partition_key_definition& pk,
                                               const throughput& offer) const {
  auto parent = "dbs/" + c.database;
  auto req = make_request("POST", parent + "/colls", "colls", parent);
  // A V1 Hash definition goes out as the JS SDK writes it, paths only (the service's default);
  // anything else with kind and version.
  auto definition = nlohmann::json::object();
  definition["paths"] = pk.paths;
  if (pk.kind != partition_kind::hash || pk.version != 1) {
    definition["kind"] = pk.kind == partition_kind::hash ? "Hash" : "MultiHash";
    definition["version"] = pk.version;
  }
  nlohmann::json body = nlohmann::json::object();
  body["id"] = c.container;
  body["partitionKey"] = std::move(definition);
  set_body(req, dump(body));
  add_throughput(req, offer);
  return req;
}

http_request request_builder::read_pkranges(const container_ref& c) const {
  auto link = c.link();
  return make_request("GET", link + "/pkranges", "pkranges", link);
}

http_request request_builder::read_pkranges_changes(const container_ref& c,
                                                    std::string_view if_none_match) const {
  auto req = read_pkranges(c);
  req.headers.add("x-ms-max-item-count", "-1");
  req.headers.add("A-IM", "Incremental Feed");
  if (!if_none_match.empty())
    req.headers.add("If-None-Match", std::string{if_none_match});
  return req;
}

http_request request_builder::document_request(std::string_view method, const container_ref& c,
                                               std::string_view id,
                                               const partition_key& key) const {
  auto link = doc_link(c, id);
  auto req = make_request(method, link, "docs", link);
  req.headers.add("x-ms-documentdb-partitionkey", to_header(key));
  return req;
}

http_request request_builder::create_document(const container_ref& c, const partition_key& key,
                                              std::string body) const {
  auto req = make_request("POST", docs_link(c), "docs", c.link());
  req.headers.add("x-ms-documentdb-partitionkey", to_header(key));
  set_write_body(req, std::move(body));
  return req;
}

http_request request_builder::upsert_document(const container_ref& c, const partition_key& key,
                                              std::string body,
                                              const write_options& options) const {
  auto req = create_document(c, key, std::move(body));
  req.headers.add("x-ms-documentdb-is-upsert", "true");
  if (!options.if_match.empty())
    req.headers.add("If-Match", options.if_match);
  return req;
}

http_request request_builder::replace_document(const container_ref& c, std::string_view id,
                                               const partition_key& key, std::string body,
                                               const write_options& options) const {
  auto req = document_request("PUT", c, id, key);
  if (!options.if_match.empty())
    req.headers.add("If-Match", options.if_match);
  set_write_body(req, std::move(body));
  return req;
}

http_request request_builder::delete_document(const container_ref& c, std::string_view id,
                                              const partition_key& key,
                                              const write_options& options) const {
  auto req = document_request("DELETE", c, id, key);
  if (!options.if_match.empty())
    req.headers.add("If-Match", options.if_match);
  return req;
}

http_request request_builder::read_document(const container_ref& c, std::string_view id,
                                            const partition_key& key) const {
  return document_request("GET", c, id, key);
}

caf::expected<http_request>
request_builder::patch_document(const container_ref& c, std::string_view id,
                                const partition_key& key, std::string_view operations,
                                std::string_view condition, const write_options& options) const {
  auto ops = nlohmann::json::parse(operations, nullptr, false);
  if (ops.is_discarded() || !ops.is_array() || ops.empty() || ops.size() > 10)
    return make_error(ec::invalid_argument,
                      "patch operations must be a JSON array of 1 to 10 operations");
  for (const auto& op : ops)
    if (!op.is_object() || !op.contains("op") || !op["op"].is_string() || !op.contains("path") ||
        !op["path"].is_string())
      return make_error(ec::invalid_argument,
                        "each patch operation needs string fields \"op\" and \"path\"");
  auto req = document_request("PATCH", c, id, key);
  if (!options.if_match.empty())
    req.headers.add("If-Match", options.if_match);
  // As the JS SDK sends it: no Content-Type.
  if (condition.empty()) {
    set_write_body(req, std::string{operations}, false);
  } else {
    nlohmann::json body = nlohmann::json::object();
    body["operations"] = std::move(ops);
    body["condition"] = condition;
    set_write_body(req, dump(body), false);
  }
  return req;
}

caf::expected<http_request>
request_builder::query_documents(const container_ref& c, std::string_view query,
                                 const std::vector<query_parameter>& parameters,
                                 const query_options& options) const {
  if (options.key && options.range_id)
    return make_error(ec::invalid_argument,
                      "invalid query options: a partition key and a range id are two scopes");
  // The SDKs write "query" first; ordered_json keeps that order.
  nlohmann::ordered_json spec;
  spec["query"] = query;
  if (!parameters.empty()) {
    auto list = nlohmann::ordered_json::array();
    for (const auto& p : parameters) {
      if (p.name.size() < 2 || p.name.front() != '@')
        return make_error(ec::invalid_argument,
                          "invalid query parameter name '" + p.name + "' (expected @name)");
      auto value = nlohmann::ordered_json::parse(p.value, nullptr, false);
      if (value.is_discarded())
        return make_error(ec::invalid_argument,
                          "the value of query parameter " + p.name + " is not JSON");
      nlohmann::ordered_json entry;
      entry["name"] = p.name;
      entry["value"] = std::move(value);
      list.push_back(std::move(entry));
    }
    spec["parameters"] = std::move(list);
  }
  auto req = make_request("POST", docs_link(c), "docs", c.link());
  req.headers.add("Content-Type", "application/query+json");
  req.headers.add("x-ms-documentdb-isquery", "true");
  if (options.key)
    req.headers.add("x-ms-documentdb-partitionkey", to_header(*options.key));
  else if (options.range_id)
    req.headers.add("x-ms-documentdb-partitionkeyrangeid", *options.range_id);
  else
    req.headers.add("x-ms-documentdb-query-enablecrosspartition", "true");
  if (options.max_item_count)
    req.headers.add("x-ms-max-item-count", std::to_string(*options.max_item_count));
  if (!options.continuation.empty())
    req.headers.add("x-ms-continuation", options.continuation);
  req.body = dump(spec);
  return req;
}

http_request request_builder::transactional_batch(const container_ref& c, const partition_key& key,
                                                  std::string body) const {
  auto req = make_request("POST", docs_link(c), "docs", c.link());
  req.headers.add("x-ms-documentdb-partitionkey", to_header(key));
  req.headers.add("x-ms-cosmos-is-batch-request", "true");
  req.headers.add("x-ms-cosmos-batch-atomic", "true");
  set_write_body(req, std::move(body));
  return req;
}

http_request request_builder::bulk(const container_ref& c, std::string_view range_id,
                                   std::string body) const {
  auto req = make_request("POST", docs_link(c), "docs", c.link());
  req.headers.add("x-ms-cosmos-is-batch-request", "true");
  req.headers.add("x-ms-documentdb-partitionkeyrangeid", std::string{range_id});
  req.headers.add("x-ms-cosmos-batch-atomic", "false");
  req.headers.add("x-ms-cosmos-batch-continue-on-error", "true");
  set_write_body(req, std::move(body));
  return req;
}

caf::expected<http_request> request_builder::change_feed(const container_ref& c,
                                                         const change_feed_options& options) const {
  if (options.key && options.range_id)
    return bad_option("a partition key and a range id are two scopes; give one");
  if (options.epk && !options.range_id)
    return bad_option("an EPK range needs the id of the physical range that holds it");
  if (!options.if_none_match.empty() && options.start_time)
    return bad_option("a continuation (If-None-Match) and a start time exclude each other");
  if (options.mode == change_feed_mode::all_versions_and_deletes &&
      (options.if_none_match.empty() || options.start_time))
    return bad_option("all versions and deletes starts only now (\"*\") or from a continuation");
  if (options.max_item_count && *options.max_item_count == 0)
    return bad_option("max_item_count must not be 0");
  auto req = make_request("GET", docs_link(c), "docs", c.link());
  if (options.max_item_count)
    req.headers.add("x-ms-max-item-count", std::to_string(*options.max_item_count));
  if (!options.if_none_match.empty())
    req.headers.add("If-None-Match", options.if_none_match);
  if (options.start_time)
    req.headers.add("If-Modified-Since", format_http_date(*options.start_time));
  if (options.mode == change_feed_mode::latest_version) {
    req.headers.add("A-IM", "Incremental Feed");
  } else {
    req.headers.add("A-IM", "Full-Fidelity Feed");
    req.headers.add("x-ms-cosmos-changefeed-wire-format-version", "2021-09-15");
  }
  if (options.key)
    req.headers.add("x-ms-documentdb-partitionkey", to_header(*options.key));
  if (options.range_id)
    req.headers.add("x-ms-documentdb-partitionkeyrangeid", *options.range_id);
  if (options.epk) {
    req.headers.add("x-ms-start-epk", options.epk->min);
    req.headers.add("x-ms-end-epk", options.epk->max);
    req.headers.add("x-ms-read-key-type", "EffectivePartitionKeyRange");
  }
  return req;
}

} // namespace bulkd::cosmos
