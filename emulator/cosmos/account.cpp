#include "emulator/cosmos/handlers.hpp"

#include <httplib.h>
#include <nlohmann/json.hpp>

namespace bulkd::emulator::cosmos {

namespace {

// The service's string (a JSON document inside a string, as .NET expects it).
constexpr const char* query_engine_configuration =
    R"({"maxSqlQueryInputLength":262144,"maxJoinsPerSqlQuery":5,"maxLogicalAndPerSqlQuery":500,)"
    R"("maxLogicalOrPerSqlQuery":500,"maxUdfRefPerSqlQuery":10,"maxInExpressionItemsCount":16000,)"
    R"("queryMaxInMemorySortDocumentCount":500,"maxQueryRequestTimeoutFraction":0.9,)"
    R"("sqlAllowNonFiniteNumbers":false,"sqlAllowAggregateFunctions":true,"sqlAllowSubQuery":true,)"
    R"("sqlAllowScalarSubQuery":true,"allowNewKeywords":true,"sqlAllowLike":true,)"
    R"("sqlAllowGroupByClause":true,"maxSpatialQueryCells":12,"spatialMaxGeometryPointCount":256,)"
    R"("sqlDisableOptimizationFlags":0,"sqlAllowTop":true,"enableSpatialIndexing":true})";

} // namespace

void handle_account(request_context& ctx) {
  const auto& config = ctx.service.config();
  // Clients send every later request to the advertised endpoint, so advertise the address this
  // client reached us on (the Host header), not the bind address (which may be 0.0.0.0).
  auto host = ctx.req.get_header_value("Host");
  if (host.empty())
    host = ctx.req.local_addr + ":" + std::to_string(ctx.req.local_port);
  auto endpoint = config.scheme + "://" + host + "/";
  nlohmann::json location{{"name", "Local"}, {"databaseAccountEndpoint", endpoint}};
  nlohmann::json body{
      {"_self", ""},
      {"id", config.account_id},
      {"_rid", config.account_id + ".documents.azure.com"},
      {"media", "//media/"},
      {"addresses", "//addresses/"},
      {"_dbs", "//dbs/"},
      {"writableLocations", nlohmann::json::array({location})},
      {"readableLocations", nlohmann::json::array({location})},
      {"enableMultipleWriteLocations", false},
      {"enablePerPartitionFailoverBehavior", false},
      {"userReplicationPolicy",
       {{"asyncReplication", false}, {"minReplicaSetSize", 1}, {"maxReplicasetSize", 4}}},
      {"userConsistencyPolicy", {{"defaultConsistencyLevel", "Session"}}},
      {"systemReplicationPolicy", {{"minReplicaSetSize", 1}, {"maxReplicasetSize", 4}}},
      {"readPolicy", {{"primaryReadCoefficient", 1}, {"secondaryReadCoefficient", 1}}},
      {"queryEngineConfiguration", query_engine_configuration},
  };
  set_charge(ctx.res, 1);
  write_json(ctx.res, 200, body.dump());
}

} // namespace bulkd::emulator::cosmos
