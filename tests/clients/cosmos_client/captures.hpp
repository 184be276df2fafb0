#pragma once

// Exchanges of the official JS SDK (@azure/cosmos 4.10.1), copied byte for byte from
// shared/reference/sdk-captures (file and connection named per item; CRLF shown as LF, bodies
// cut at Content-Length). The requests are authoritative; the responses come from a third-party
// test server (numeric pkrange ids, unquoted etags, no session tokens).

#include <string_view>

namespace captures {

// 00-setup-getDatabaseAccount.txt, connection #1
inline constexpr std::string_view account_request = R"cap(GET / HTTP/1.1
x-ms-documentdb-responsecontinuationtokenlimitinkb: 1
x-ms-documentdb-query-enablecrosspartition: true
Cache-Control: no-cache
x-ms-version: 2020-07-15
User-Agent: Node.js/20.20.2 (linux; x64) azure-cosmos-js/4.10.1
x-ms-useragent: Node.js/20.20.2 (linux; x64) azure-cosmos-js/4.10.1
x-ms-cosmos-sdk-supportedcapabilities: 1
x-ms-cosmos-allow-tentative-writes: true
x-ms-date: Sat, 21 Nov 2026 12:24:05 GMT
Accept: application/json
authorization: type%3Dmaster%26ver%3D1.0%26sig%3DMbC1AHHqw%2FVSGvc5%2BXC1cRaMeIa1c07587McGOtmjGs%3D
Host: 127.0.0.1:8091
Connection: keep-alive

)cap";
inline constexpr std::string_view account_response = R"cap(HTTP/1.1 200 OK
content-type: application/json
content-location: https://127.0.0.1:8091/
connection: close
x-ms-activity-id: 72993707-16b8-4669-8dee-f8665ee1b7c1
x-ms-request-charge: 1
Date: Sat, 21 Nov 2026 12:24:05 GMT
Content-Length: 1247

{"_rid":"127.0.0.1","_self":"","_dbs":"//dbs/","id":"127.0.0.1","media":"//media/","addresses":"//addresses/","writableLocations":[{"name":"South Central US","databaseAccountEndpoint":"https://127.0.0.1:8081/"}],"readableLocations":[{"name":"South Central US","databaseAccountEndpoint":"https://127.0.0.1:8081/"}],"enableMultipleWriteLocations":false,"userReplicationPolicy":{"asyncReplication":false,"minReplicaSetSize":1,"maxReplicasetSize":4},"userConsistencyPolicy":{"defaultConsistencyLevel":"Session"},"systemReplicationPolicy":{"minReplicaSetSize":1,"maxReplicasetSize":4},"readPolicy":{"primaryReadCoefficient":1,"secondaryReadCoefficient":1},"queryEngineConfiguration":"{\"maxSqlQueryInputLength\":262144,\"maxJoinsPerSqlQuery\":5,\"maxLogicalAndPerSqlQuery\":500,\"maxLogicalOrPerSqlQuery\":500,\"maxUdfRefPerSqlQuery\":10,\"maxInExpressionItemsCount\":16000,\"queryMaxInMemorySortDocumentCount\":500,\"maxQueryRequestTimeoutFraction\":0.9,\"sqlAllowNonFiniteNumbers\":false,\"sqlAllowAggregateFunctions\":true,\"sqlAllowSubQuery\":true,\"sqlAllowScalarSubQuery\":true,\"allowNewKeywords\":true,\"sqlAllowLike\":false,\"maxSpatialQueryCells\":12,\"spatialMaxGeometryPointCount\":256,\"sqlAllowTop\":true,\"enableSpatialIndexing\":true}"})cap";

// 01-create-database.txt, connection #2
inline constexpr std::string_view read_database_request = R"cap(GET /dbs/capdb HTTP/1.1
x-ms-documentdb-responsecontinuationtokenlimitinkb: 1
x-ms-documentdb-query-enablecrosspartition: true
Cache-Control: no-cache
x-ms-version: 2020-07-15
User-Agent: Node.js/20.20.2 (linux; x64) azure-cosmos-js/4.10.1
x-ms-useragent: Node.js/20.20.2 (linux; x64) azure-cosmos-js/4.10.1
x-ms-cosmos-sdk-supportedcapabilities: 1
x-ms-cosmos-allow-tentative-writes: true
x-ms-date: Sat, 21 Nov 2026 12:24:05 GMT
Accept: application/json
authorization: type%3Dmaster%26ver%3D1.0%26sig%3DOWwIdjd21WcaUfctEVFcjA56t%2F8vkgy8EHLHaYOhjPw%3D
Host: 127.0.0.1:8091
Connection: keep-alive

)cap";
inline constexpr std::string_view read_database_response = R"cap(HTTP/1.1 404 Not Found
content-type: application/json
content-location: https://127.0.0.1:8091/dbs/capdb
connection: close
x-ms-activity-id: 3fb6cdf5-b97d-4a0a-977f-e82fe9196e39
x-ms-request-charge: 1
Date: Sat, 21 Nov 2026 12:24:05 GMT
Content-Length: 14

{"message":""})cap";

// 01-create-database.txt, connection #3
inline constexpr std::string_view create_database_request = R"cap(POST /dbs HTTP/1.1
x-ms-documentdb-responsecontinuationtokenlimitinkb: 1
x-ms-documentdb-query-enablecrosspartition: true
Cache-Control: no-cache
x-ms-version: 2020-07-15
User-Agent: Node.js/20.20.2 (linux; x64) azure-cosmos-js/4.10.1
x-ms-useragent: Node.js/20.20.2 (linux; x64) azure-cosmos-js/4.10.1
x-ms-cosmos-sdk-supportedcapabilities: 1
x-ms-cosmos-allow-tentative-writes: true
x-ms-date: Sat, 21 Nov 2026 12:24:05 GMT
Content-Type: application/json
Accept: application/json
authorization: type%3Dmaster%26ver%3D1.0%26sig%3D%2FSeCJ0cM0ie48w1emMUHWukHQUAN1zKYKZTwTU42nRo%3D
Content-Length: 14
Host: 127.0.0.1:8091
Connection: keep-alive

{"id":"capdb"})cap";
inline constexpr std::string_view create_database_response = R"cap(HTTP/1.1 201 Created
etag: b0e4182f-1631-4aae-b960-47f13ff661dc
content-type: application/json
content-location: https://127.0.0.1:8091/dbs
connection: close
x-ms-activity-id: 5abf135a-b854-4dec-9c44-054bff974570
x-ms-request-charge: 1
Date: Sat, 21 Nov 2026 12:24:05 GMT
Content-Length: 120

{"id":"capdb","_etag":"b0e4182f-1631-4aae-b960-47f13ff661dc","_rid":"gAABAA==","_self":"/dbs/gAABAA==","_ts":1795263845})cap";

// 02-create-container-pk.txt, connection #4
inline constexpr std::string_view read_container_request = R"cap(GET /dbs/capdb/colls/cc HTTP/1.1
x-ms-documentdb-responsecontinuationtokenlimitinkb: 1
x-ms-documentdb-query-enablecrosspartition: true
Cache-Control: no-cache
x-ms-version: 2020-07-15
User-Agent: Node.js/20.20.2 (linux; x64) azure-cosmos-js/4.10.1
x-ms-useragent: Node.js/20.20.2 (linux; x64) azure-cosmos-js/4.10.1
x-ms-cosmos-sdk-supportedcapabilities: 1
x-ms-cosmos-allow-tentative-writes: true
x-ms-date: Sat, 21 Nov 2026 12:24:05 GMT
Accept: application/json
authorization: type%3Dmaster%26ver%3D1.0%26sig%3Du9P5CYnKvfHErdvADbv9sNr0t8kdGy%2F3c441hlpfMQs%3D
Host: 127.0.0.1:8091
Connection: keep-alive

)cap";
inline constexpr std::string_view read_container_response = R"cap(HTTP/1.1 404 Not Found
content-type: application/json
content-location: https://127.0.0.1:8091/dbs/capdb/colls/cc
connection: close
x-ms-activity-id: 7b771045-a4eb-46a8-861d-dd951a3e68b3
x-ms-request-charge: 1
Date: Sat, 21 Nov 2026 12:24:05 GMT
Content-Length: 14

{"message":""})cap";

// 02-create-container-pk.txt, connection #5
inline constexpr std::string_view create_container_request = R"cap(POST /dbs/capdb/colls HTTP/1.1
x-ms-documentdb-responsecontinuationtokenlimitinkb: 1
x-ms-documentdb-query-enablecrosspartition: true
Cache-Control: no-cache
x-ms-version: 2020-07-15
User-Agent: Node.js/20.20.2 (linux; x64) azure-cosmos-js/4.10.1
x-ms-useragent: Node.js/20.20.2 (linux; x64) azure-cosmos-js/4.10.1
x-ms-cosmos-sdk-supportedcapabilities: 1
x-ms-cosmos-allow-tentative-writes: true
x-ms-date: Sat, 21 Nov 2026 12:24:05 GMT
Content-Type: application/json
Accept: application/json
authorization: type%3Dmaster%26ver%3D1.0%26sig%3D4n2sDZoy%2FsaDiYiPHWQmIJ%2FUONZd4k2APv1DnNOjxqw%3D
Content-Length: 44
Host: 127.0.0.1:8091
Connection: keep-alive

{"id":"cc","partitionKey":{"paths":["/pk"]}})cap";
inline constexpr std::string_view create_container_response = R"cap(HTTP/1.1 201 Created
etag: 9ee01d88-8bb0-4dce-b60c-be6d3391137f
content-type: application/json
content-location: https://127.0.0.1:8091/dbs/capdb/colls
connection: close
x-ms-activity-id: c3825f3d-e8d1-4860-a066-f491eac782ae
x-ms-request-charge: 1
Date: Sat, 21 Nov 2026 12:24:05 GMT
Content-Length: 242

{"geospatialConfig":{},"id":"cc","partitionKey":{"paths":["/pk"]},"_etag":"9ee01d88-8bb0-4dce-b60c-be6d3391137f","_rid":"gAABAIAAAAE=","_self":"/dbs/gAABAA==/colls/gAABAIAAAAE=","_ts":1795263845,"indexingPolicy":{"indexingMode":"consistent"}})cap";

// 03-create-item.txt, connection #6
inline constexpr std::string_view create_item_request = R"cap(POST /dbs/capdb/colls/cc/docs HTTP/1.1
x-ms-documentdb-responsecontinuationtokenlimitinkb: 1
x-ms-documentdb-query-enablecrosspartition: true
Cache-Control: no-cache
x-ms-version: 2020-07-15
User-Agent: Node.js/20.20.2 (linux; x64) azure-cosmos-js/4.10.1
x-ms-useragent: Node.js/20.20.2 (linux; x64) azure-cosmos-js/4.10.1
x-ms-cosmos-sdk-supportedcapabilities: 1
x-ms-cosmos-allow-tentative-writes: true
x-ms-documentdb-partitionkey: ["p1"]
x-ms-date: Sat, 21 Nov 2026 12:24:05 GMT
Content-Type: application/json
Accept: application/json
authorization: type%3Dmaster%26ver%3D1.0%26sig%3DuvZ3425K5FJ5KzBe50DxvDnxW804T6DYnHr%2F1joAr8k%3D
Content-Length: 27
Host: 127.0.0.1:8091
Connection: keep-alive

{"id":"i1","pk":"p1","v":1})cap";
inline constexpr std::string_view create_item_response = R"cap(HTTP/1.1 201 Created
etag: 9c8e9dec-0e74-4f28-a501-7079c7b3d982
content-type: application/json
content-location: https://127.0.0.1:8091/dbs/capdb/colls/cc/docs
connection: close
x-ms-activity-id: c54fb611-ac9c-46c7-9d48-7ff45c9465c7
x-ms-request-charge: 1
Date: Sat, 21 Nov 2026 12:24:05 GMT
Content-Length: 199

{"id":"i1","pk":"p1","v":1,"_etag":"9c8e9dec-0e74-4f28-a501-7079c7b3d982","_rid":"gAABAIAAAAEBAAAAAAAAAA==","_self":"/dbs/gAABAA==/colls/gAABAIAAAAE=/docs/gAABAIAAAAEBAAAAAAAAAA==/","_ts":1795263845})cap";

// 04-upsert-item.txt, connection #7
inline constexpr std::string_view upsert_item_request = R"cap(POST /dbs/capdb/colls/cc/docs HTTP/1.1
x-ms-documentdb-responsecontinuationtokenlimitinkb: 1
x-ms-documentdb-query-enablecrosspartition: true
Cache-Control: no-cache
x-ms-version: 2020-07-15
User-Agent: Node.js/20.20.2 (linux; x64) azure-cosmos-js/4.10.1
x-ms-useragent: Node.js/20.20.2 (linux; x64) azure-cosmos-js/4.10.1
x-ms-cosmos-sdk-supportedcapabilities: 1
x-ms-cosmos-allow-tentative-writes: true
x-ms-documentdb-partitionkey: ["p1"]
x-ms-date: Sat, 21 Nov 2026 12:24:05 GMT
Content-Type: application/json
Accept: application/json
authorization: type%3Dmaster%26ver%3D1.0%26sig%3DuvZ3425K5FJ5KzBe50DxvDnxW804T6DYnHr%2F1joAr8k%3D
x-ms-documentdb-is-upsert: true
Content-Length: 27
Host: 127.0.0.1:8091
Connection: keep-alive

{"id":"i2","pk":"p1","v":2})cap";
inline constexpr std::string_view upsert_item_response = R"cap(HTTP/1.1 201 Created
etag: 68574cf9-dc69-4372-b0c4-ef43396d799e
content-type: application/json
content-location: https://127.0.0.1:8091/dbs/capdb/colls/cc/docs
connection: close
x-ms-activity-id: 40ae2df2-d28f-4152-a0bc-ccc9c9995bd4
x-ms-request-charge: 1
Date: Sat, 21 Nov 2026 12:24:05 GMT
Content-Length: 199

{"id":"i2","pk":"p1","v":2,"_etag":"68574cf9-dc69-4372-b0c4-ef43396d799e","_rid":"gAABAIAAAAECAAAAAAAAAA==","_self":"/dbs/gAABAA==/colls/gAABAIAAAAE=/docs/gAABAIAAAAECAAAAAAAAAA==/","_ts":1795263845})cap";

// 05-upsert-item-existing.txt, connection #8
inline constexpr std::string_view upsert_existing_request = R"cap(POST /dbs/capdb/colls/cc/docs HTTP/1.1
x-ms-documentdb-responsecontinuationtokenlimitinkb: 1
x-ms-documentdb-query-enablecrosspartition: true
Cache-Control: no-cache
x-ms-version: 2020-07-15
User-Agent: Node.js/20.20.2 (linux; x64) azure-cosmos-js/4.10.1
x-ms-useragent: Node.js/20.20.2 (linux; x64) azure-cosmos-js/4.10.1
x-ms-cosmos-sdk-supportedcapabilities: 1
x-ms-cosmos-allow-tentative-writes: true
x-ms-documentdb-partitionkey: ["p1"]
x-ms-date: Sat, 21 Nov 2026 12:24:06 GMT
Content-Type: application/json
Accept: application/json
authorization: type%3Dmaster%26ver%3D1.0%26sig%3D%2FGf%2BeOgRvJ%2FvRWntea4FLoKvaMvtG2nK%2FmQDUrXOMzs%3D
x-ms-documentdb-is-upsert: true
Content-Length: 27
Host: 127.0.0.1:8091
Connection: keep-alive

{"id":"i2","pk":"p1","v":3})cap";
inline constexpr std::string_view upsert_existing_response = R"cap(HTTP/1.1 200 OK
etag: 1ece5f85-4d10-4f3b-bcaf-8316a8809fed
content-type: application/json
content-location: https://127.0.0.1:8091/dbs/capdb/colls/cc/docs
connection: close
x-ms-activity-id: a0da4044-bed8-41d4-b0d7-4d32d6c2300b
x-ms-request-charge: 1
Date: Sat, 21 Nov 2026 12:24:06 GMT
Content-Length: 199

{"id":"i2","pk":"p1","v":3,"_etag":"1ece5f85-4d10-4f3b-bcaf-8316a8809fed","_rid":"gAABAIAAAAECAAAAAAAAAA==","_self":"/dbs/gAABAA==/colls/gAABAIAAAAE=/docs/gAABAIAAAAECAAAAAAAAAA==/","_ts":1795263846})cap";

// 06-read-item.txt, connection #9
inline constexpr std::string_view read_item_request = R"cap(GET /dbs/capdb/colls/cc/docs/i1 HTTP/1.1
x-ms-documentdb-responsecontinuationtokenlimitinkb: 1
x-ms-documentdb-query-enablecrosspartition: true
Cache-Control: no-cache
x-ms-version: 2020-07-15
User-Agent: Node.js/20.20.2 (linux; x64) azure-cosmos-js/4.10.1
x-ms-useragent: Node.js/20.20.2 (linux; x64) azure-cosmos-js/4.10.1
x-ms-cosmos-sdk-supportedcapabilities: 1
x-ms-cosmos-allow-tentative-writes: true
x-ms-documentdb-partitionkey: ["p1"]
x-ms-date: Sat, 21 Nov 2026 12:24:06 GMT
Accept: application/json
authorization: type%3Dmaster%26ver%3D1.0%26sig%3DrJygHRtMuod6V3XrUeKwWUsQHaktJuloyab40Zeomp4%3D
Host: 127.0.0.1:8091
Connection: keep-alive

)cap";
inline constexpr std::string_view read_item_response = R"cap(HTTP/1.1 200 OK
etag: 9c8e9dec-0e74-4f28-a501-7079c7b3d982
content-type: application/json
content-location: https://127.0.0.1:8091/dbs/capdb/colls/cc/docs/i1
connection: close
x-ms-activity-id: bc8ee811-7eb4-47c9-8ead-6ee454402e74
x-ms-request-charge: 1
Date: Sat, 21 Nov 2026 12:24:06 GMT
Content-Length: 199

{"id":"i1","pk":"p1","v":1,"_etag":"9c8e9dec-0e74-4f28-a501-7079c7b3d982","_rid":"gAABAIAAAAEBAAAAAAAAAA==","_self":"/dbs/gAABAA==/colls/gAABAIAAAAE=/docs/gAABAIAAAAEBAAAAAAAAAA==/","_ts":1795263845})cap";

// 07-read-item-404.txt, connection #10
inline constexpr std::string_view read_item_404_request = R"cap(GET /dbs/capdb/colls/cc/docs/nope HTTP/1.1
x-ms-documentdb-responsecontinuationtokenlimitinkb: 1
x-ms-documentdb-query-enablecrosspartition: true
Cache-Control: no-cache
x-ms-version: 2020-07-15
User-Agent: Node.js/20.20.2 (linux; x64) azure-cosmos-js/4.10.1
x-ms-useragent: Node.js/20.20.2 (linux; x64) azure-cosmos-js/4.10.1
x-ms-cosmos-sdk-supportedcapabilities: 1
x-ms-cosmos-allow-tentative-writes: true
x-ms-documentdb-partitionkey: ["p1"]
x-ms-date: Sat, 21 Nov 2026 12:24:06 GMT
Accept: application/json
authorization: type%3Dmaster%26ver%3D1.0%26sig%3DxFbIHL%2BkK72vq4HkUTuQx%2FezMQsObxad1FCO9AD71RM%3D
Host: 127.0.0.1:8091
Connection: keep-alive

)cap";
inline constexpr std::string_view read_item_404_response = R"cap(HTTP/1.1 404 Not Found
content-type: application/json
content-location: https://127.0.0.1:8091/dbs/capdb/colls/cc/docs/nope
connection: close
x-ms-activity-id: 3cae5aab-947f-465e-9a62-69e8430a6e6c
x-ms-request-charge: 1
Date: Sat, 21 Nov 2026 12:24:06 GMT
Content-Length: 91

{"code":"NotFound","message":"Entity with the specified id does not exist in the system.,"})cap";

// 08-replace-item-if-match.txt, connection #11
inline constexpr std::string_view replace_item_request = R"cap(PUT /dbs/capdb/colls/cc/docs/i1 HTTP/1.1
x-ms-documentdb-responsecontinuationtokenlimitinkb: 1
x-ms-documentdb-query-enablecrosspartition: true
Cache-Control: no-cache
x-ms-version: 2020-07-15
User-Agent: Node.js/20.20.2 (linux; x64) azure-cosmos-js/4.10.1
x-ms-useragent: Node.js/20.20.2 (linux; x64) azure-cosmos-js/4.10.1
x-ms-cosmos-sdk-supportedcapabilities: 1
x-ms-cosmos-allow-tentative-writes: true
If-Match: 9c8e9dec-0e74-4f28-a501-7079c7b3d982
x-ms-documentdb-partitionkey: ["p1"]
x-ms-date: Sat, 21 Nov 2026 12:24:06 GMT
Content-Type: application/json
Accept: application/json
authorization: type%3Dmaster%26ver%3D1.0%26sig%3DcKpq8qckUNN5lyFlu8iBOm1pe0X9RezFsAULR9lAYik%3D
Content-Length: 27
Host: 127.0.0.1:8091
Connection: keep-alive

{"id":"i1","pk":"p1","v":9})cap";
inline constexpr std::string_view replace_item_response = R"cap(HTTP/1.1 200 OK
etag: f6d83b63-474a-4649-bf2f-de9c18b24ea0
content-type: application/json
content-location: https://127.0.0.1:8091/dbs/capdb/colls/cc/docs/i1
connection: close
x-ms-activity-id: d6495550-52fb-4c01-a78f-a32ebc5b2d38
x-ms-request-charge: 1
Date: Sat, 21 Nov 2026 12:24:06 GMT
Content-Length: 199

{"id":"i1","pk":"p1","v":9,"_etag":"f6d83b63-474a-4649-bf2f-de9c18b24ea0","_rid":"gAABAIAAAAEBAAAAAAAAAA==","_self":"/dbs/gAABAA==/colls/gAABAIAAAAE=/docs/gAABAIAAAAEBAAAAAAAAAA==/","_ts":1795263846})cap";

// 09-patch-item.txt, connection #12
inline constexpr std::string_view patch_item_request = R"cap(PATCH /dbs/capdb/colls/cc/docs/i1 HTTP/1.1
x-ms-documentdb-responsecontinuationtokenlimitinkb: 1
x-ms-documentdb-query-enablecrosspartition: true
Cache-Control: no-cache
x-ms-version: 2020-07-15
User-Agent: Node.js/20.20.2 (linux; x64) azure-cosmos-js/4.10.1
x-ms-useragent: Node.js/20.20.2 (linux; x64) azure-cosmos-js/4.10.1
x-ms-cosmos-sdk-supportedcapabilities: 1
x-ms-cosmos-allow-tentative-writes: true
x-ms-documentdb-partitionkey: ["p1"]
x-ms-date: Sat, 21 Nov 2026 12:24:06 GMT
Accept: application/json
authorization: type%3Dmaster%26ver%3D1.0%26sig%3DT4o%2B58IdEeq2KJlxXeSXwd8mCky8dMRLZ3Qpu4ZNQoI%3D
Content-Length: 37
Host: 127.0.0.1:8091
Connection: keep-alive

[{"op":"incr","path":"/v","value":1}])cap";
inline constexpr std::string_view patch_item_response = R"cap(HTTP/1.1 200 OK
etag: c5ffcb5e-b35a-41bb-8f17-212af6dcd663
content-type: application/json
content-location: https://127.0.0.1:8091/dbs/capdb/colls/cc/docs/i1
connection: close
x-ms-activity-id: efe0c021-8929-45e7-967f-54835f6af174
x-ms-request-charge: 1
Date: Sat, 21 Nov 2026 12:24:06 GMT
Content-Length: 200

{"id":"i1","pk":"p1","v":10,"_etag":"c5ffcb5e-b35a-41bb-8f17-212af6dcd663","_rid":"gAABAIAAAAEBAAAAAAAAAA==","_self":"/dbs/gAABAA==/colls/gAABAIAAAAE=/docs/gAABAIAAAAEBAAAAAAAAAA==/","_ts":1795263846})cap";

// 10-delete-item.txt, connection #14
inline constexpr std::string_view delete_item_request = R"cap(DELETE /dbs/capdb/colls/cc/docs/del HTTP/1.1
x-ms-documentdb-responsecontinuationtokenlimitinkb: 1
x-ms-documentdb-query-enablecrosspartition: true
Cache-Control: no-cache
x-ms-version: 2020-07-15
User-Agent: Node.js/20.20.2 (linux; x64) azure-cosmos-js/4.10.1
x-ms-useragent: Node.js/20.20.2 (linux; x64) azure-cosmos-js/4.10.1
x-ms-cosmos-sdk-supportedcapabilities: 1
x-ms-cosmos-allow-tentative-writes: true
x-ms-documentdb-partitionkey: ["p1"]
x-ms-date: Sat, 21 Nov 2026 12:24:06 GMT
Accept: application/json
authorization: type%3Dmaster%26ver%3D1.0%26sig%3D2A4doMg%2FeBx98ztM%2FLFsckQu0AQ5ANFgf3APHLsCLWQ%3D
Host: 127.0.0.1:8091
Connection: keep-alive

)cap";
inline constexpr std::string_view delete_item_response = R"cap(HTTP/1.1 204 No Content
content-type: application/json
content-location: https://127.0.0.1:8091/dbs/capdb/colls/cc/docs/del
connection: close
x-ms-activity-id: 95dfeb12-112f-4682-a0c9-94c3956b89f9
x-ms-request-charge: 1
Date: Sat, 21 Nov 2026 12:24:06 GMT

)cap";

// 16-readPartitionKeyRanges.txt, connection #25
inline constexpr std::string_view pkranges_request = R"cap(GET /dbs/capdb/colls/cc/pkranges HTTP/1.1
x-ms-documentdb-responsecontinuationtokenlimitinkb: 1
x-ms-documentdb-query-enablecrosspartition: true
Cache-Control: no-cache
x-ms-version: 2020-07-15
User-Agent: Node.js/20.20.2 (linux; x64) azure-cosmos-js/4.10.1
x-ms-useragent: Node.js/20.20.2 (linux; x64) azure-cosmos-js/4.10.1
x-ms-cosmos-sdk-supportedcapabilities: 1
x-ms-cosmos-allow-tentative-writes: true
x-ms-date: Sat, 21 Nov 2026 12:24:07 GMT
Accept: application/json
authorization: type%3Dmaster%26ver%3D1.0%26sig%3D6Fsdzb9JGPJURLym9geZSbNw%2FQzu%2BV551W8eY5FrYfk%3D
Host: 127.0.0.1:8091
Connection: keep-alive

)cap";
inline constexpr std::string_view pkranges_response = R"cap(HTTP/1.1 200 OK
x-ms-item-count: 1
content-type: application/json
content-location: https://127.0.0.1:8091/dbs/capdb/colls/cc/pkranges
connection: close
x-ms-activity-id: cfc46977-5f76-47df-a786-e8c3a730886b
x-ms-request-charge: 1
Date: Sat, 21 Nov 2026 12:24:07 GMT
Content-Length: 325

{"PartitionKeyRanges":[{"id":0,"minInclusive":"","maxExclusive":"FF","ridPrefix":0,"throughputFraction":1,"status":"online","parents":[],"_etag":"42c849b7-c4a4-45fa-9c18-e02ab5d32e10","_rid":"gAABAIAAAAEBAAAAAAAAUA==","_self":"/dbs/gAABAA==/colls/gAABAIAAAAE=/pkranges/gAABAIAAAAEBAAAAAAAAUA==","_ts":1795263845}],"_count":1})cap";

// 12-query-params-with-partitionKey-option.txt, connection #18
inline constexpr std::string_view query_with_pk_request = R"cap(POST /dbs/capdb/colls/cc/docs HTTP/1.1
x-ms-documentdb-responsecontinuationtokenlimitinkb: 1
x-ms-documentdb-query-enablecrosspartition: true
Cache-Control: no-cache
x-ms-version: 2020-07-15
User-Agent: Node.js/20.20.2 (linux; x64) azure-cosmos-js/4.10.1
x-ms-useragent: Node.js/20.20.2 (linux; x64) azure-cosmos-js/4.10.1
x-ms-cosmos-sdk-supportedcapabilities: 1
x-ms-cosmos-allow-tentative-writes: true
x-ms-documentdb-partitionkey: ["p1"]
x-ms-date: Sat, 21 Nov 2026 12:24:07 GMT
Content-Type: application/query+json
Accept: application/json
authorization: type%3Dmaster%26ver%3D1.0%26sig%3DnBd3jssOlhFM2RyqqDwMZzj7eykvZdvC61vffEAwvME%3D
x-ms-cosmos-correlated-activityid: 391b6c81-397a-4fdd-af6a-1cf5d950d9e1
x-ms-documentdb-isquery: true
Content-Length: 85
Host: 127.0.0.1:8091
Connection: keep-alive

{"query":"SELECT * FROM c WHERE c.pk = @p","parameters":[{"name":"@p","value":"p1"}]})cap";
inline constexpr std::string_view query_with_pk_response = R"cap(HTTP/1.1 200 OK
x-ms-item-count: 2
content-type: application/json
content-location: https://127.0.0.1:8091/dbs/capdb/colls/cc/docs
connection: close
x-ms-activity-id: 66017250-118c-43ab-abd4-d29cce761fc6
x-ms-request-charge: 1
Date: Sat, 21 Nov 2026 12:24:07 GMT
Content-Length: 427

{"Documents":[{"id":"i1","pk":"p1","v":10,"_etag":"c5ffcb5e-b35a-41bb-8f17-212af6dcd663","_rid":"gAABAIAAAAEBAAAAAAAAAA==","_self":"/dbs/gAABAA==/colls/gAABAIAAAAE=/docs/gAABAIAAAAEBAAAAAAAAAA==/","_ts":1795263846},{"id":"i2","pk":"p1","v":3,"_etag":"1ece5f85-4d10-4f3b-bcaf-8316a8809fed","_rid":"gAABAIAAAAECAAAAAAAAAA==","_self":"/dbs/gAABAA==/colls/gAABAIAAAAE=/docs/gAABAIAAAAECAAAAAAAAAA==/","_ts":1795263846}],"_count":2})cap";

// 11-query-params-crosspartition.txt, connection #16
inline constexpr std::string_view query_cross_partition_request = R"cap(POST /dbs/capdb/colls/cc/docs HTTP/1.1
x-ms-documentdb-responsecontinuationtokenlimitinkb: 1
x-ms-documentdb-query-enablecrosspartition: true
Cache-Control: no-cache
x-ms-version: 2020-07-15
User-Agent: Node.js/20.20.2 (linux; x64) azure-cosmos-js/4.10.1
x-ms-useragent: Node.js/20.20.2 (linux; x64) azure-cosmos-js/4.10.1
x-ms-cosmos-sdk-supportedcapabilities: 1
x-ms-cosmos-allow-tentative-writes: true
x-ms-date: Sat, 21 Nov 2026 12:24:07 GMT
Content-Type: application/query+json
Accept: application/json
authorization: type%3Dmaster%26ver%3D1.0%26sig%3DnBd3jssOlhFM2RyqqDwMZzj7eykvZdvC61vffEAwvME%3D
x-ms-cosmos-correlated-activityid: 19efe150-480d-4965-b2eb-6e08a4c630c5
x-ms-documentdb-isquery: true
Content-Length: 85
Host: 127.0.0.1:8091
Connection: keep-alive

{"query":"SELECT * FROM c WHERE c.pk = @p","parameters":[{"name":"@p","value":"p1"}]})cap";
inline constexpr std::string_view query_cross_partition_response = R"cap(HTTP/1.1 200 OK
x-ms-item-count: 2
content-type: application/json
content-location: https://127.0.0.1:8091/dbs/capdb/colls/cc/docs
connection: close
x-ms-activity-id: c7bf7422-4094-4cc8-a8d4-627126c6b45c
x-ms-request-charge: 1
Date: Sat, 21 Nov 2026 12:24:07 GMT
Content-Length: 427

{"Documents":[{"id":"i1","pk":"p1","v":10,"_etag":"c5ffcb5e-b35a-41bb-8f17-212af6dcd663","_rid":"gAABAIAAAAEBAAAAAAAAAA==","_self":"/dbs/gAABAA==/colls/gAABAIAAAAE=/docs/gAABAIAAAAEBAAAAAAAAAA==/","_ts":1795263846},{"id":"i2","pk":"p1","v":3,"_etag":"1ece5f85-4d10-4f3b-bcaf-8316a8809fed","_rid":"gAABAIAAAAECAAAAAAAAAA==","_self":"/dbs/gAABAA==/colls/gAABAIAAAAE=/docs/gAABAIAAAAECAAAAAAAAAA==/","_ts":1795263846}],"_count":2})cap";

// 18-changefeed-pull-beginning-first-read.txt, connection #32
inline constexpr std::string_view cf_beginning_request = R"cap(GET /dbs/capdb/colls/cf/docs HTTP/1.1
x-ms-documentdb-responsecontinuationtokenlimitinkb: 1
x-ms-documentdb-query-enablecrosspartition: true
Cache-Control: no-cache
x-ms-version: 2020-07-15
User-Agent: Node.js/20.20.2 (linux; x64) azure-cosmos-js/4.10.1
x-ms-useragent: Node.js/20.20.2 (linux; x64) azure-cosmos-js/4.10.1
x-ms-cosmos-sdk-supportedcapabilities: 1
x-ms-cosmos-allow-tentative-writes: true
x-ms-max-item-count: 10
A-IM: Incremental Feed
x-ms-documentdb-partitionkeyrangeid: 0
x-ms-date: Sat, 21 Nov 2026 12:24:08 GMT
Accept: application/json
authorization: type%3Dmaster%26ver%3D1.0%26sig%3DMdG9WG4kDAfRrQFyv5joyGnXpNzaQYibO42EJR3fVBE%3D
Host: 127.0.0.1:8091
Connection: keep-alive

)cap";
inline constexpr std::string_view cf_beginning_response = R"cap(HTTP/1.1 200 OK
x-ms-item-count: 2
content-type: application/json
content-location: https://127.0.0.1:8091/dbs/capdb/colls/cf/docs
connection: close
x-ms-activity-id: 7d7a978c-d069-40cc-a776-16a0c9921af4
x-ms-request-charge: 1
etag: 1
Date: Sat, 21 Nov 2026 12:24:08 GMT
Content-Length: 412

{"Documents":[{"id":"x1","pk":"p","_etag":"1b0ff304-b41d-4af1-857d-b0f4eddce5f6","_rid":"gAABAIAAAAIBAAAAAAAAAA==","_self":"/dbs/gAABAA==/colls/gAABAIAAAAI=/docs/gAABAIAAAAIBAAAAAAAAAA==/","_ts":1795263848},{"id":"x2","pk":"q","_etag":"5068bb6c-d057-4f3d-b1b1-5926851f0ba1","_rid":"gAABAIAAAAICAAAAAAAAAA==","_self":"/dbs/gAABAA==/colls/gAABAIAAAAI=/docs/gAABAIAAAAICAAAAAAAAAA==/","_ts":1795263848}],"_count":2})cap";

// 19-changefeed-pull-second-read-if-none-match.txt, connection #34
inline constexpr std::string_view cf_continuation_request = R"cap(GET /dbs/capdb/colls/cf/docs HTTP/1.1
x-ms-documentdb-responsecontinuationtokenlimitinkb: 1
x-ms-documentdb-query-enablecrosspartition: true
Cache-Control: no-cache
x-ms-version: 2020-07-15
User-Agent: Node.js/20.20.2 (linux; x64) azure-cosmos-js/4.10.1
x-ms-useragent: Node.js/20.20.2 (linux; x64) azure-cosmos-js/4.10.1
x-ms-cosmos-sdk-supportedcapabilities: 1
x-ms-cosmos-allow-tentative-writes: true
x-ms-max-item-count: 10
If-None-Match: 1
A-IM: Incremental Feed
x-ms-documentdb-partitionkeyrangeid: 0
x-ms-date: Sat, 21 Nov 2026 12:24:08 GMT
Accept: application/json
authorization: type%3Dmaster%26ver%3D1.0%26sig%3DMdG9WG4kDAfRrQFyv5joyGnXpNzaQYibO42EJR3fVBE%3D
Host: 127.0.0.1:8091
Connection: keep-alive

)cap";
inline constexpr std::string_view cf_continuation_response = R"cap(HTTP/1.1 304 Not Modified
x-ms-item-count: 3
content-type: application/json
content-location: https://127.0.0.1:8091/dbs/capdb/colls/cf/docs
connection: close
x-ms-activity-id: 15e2a5b6-df5d-4599-adee-04e3e47b18a9
x-ms-request-charge: 1
etag: 1
Date: Sat, 21 Nov 2026 12:24:08 GMT

)cap";

// 20-changefeed-pull-now.txt, connection #36
inline constexpr std::string_view cf_now_request = R"cap(GET /dbs/capdb/colls/cf/docs HTTP/1.1
x-ms-documentdb-responsecontinuationtokenlimitinkb: 1
x-ms-documentdb-query-enablecrosspartition: true
Cache-Control: no-cache
x-ms-version: 2020-07-15
User-Agent: Node.js/20.20.2 (linux; x64) azure-cosmos-js/4.10.1
x-ms-useragent: Node.js/20.20.2 (linux; x64) azure-cosmos-js/4.10.1
If-None-Match: *
x-ms-cosmos-sdk-supportedcapabilities: 1
x-ms-cosmos-allow-tentative-writes: true
A-IM: Incremental Feed
x-ms-documentdb-partitionkeyrangeid: 0
x-ms-date: Sat, 21 Nov 2026 12:24:08 GMT
Accept: application/json
authorization: type%3Dmaster%26ver%3D1.0%26sig%3DMdG9WG4kDAfRrQFyv5joyGnXpNzaQYibO42EJR3fVBE%3D
Host: 127.0.0.1:8091
Connection: keep-alive

)cap";
inline constexpr std::string_view cf_now_response = R"cap(HTTP/1.1 304 Not Modified
x-ms-item-count: 3
content-type: application/json
content-location: https://127.0.0.1:8091/dbs/capdb/colls/cf/docs
connection: close
x-ms-activity-id: 6bc48ea3-649d-457d-b497-5ac80576d8ec
x-ms-request-charge: 1
etag: 1
Date: Sat, 21 Nov 2026 12:24:08 GMT

)cap";

// 21-changefeed-pull-beginning-partitionkey.txt, connection #38
inline constexpr std::string_view cf_partition_key_request = R"cap(GET /dbs/capdb/colls/cf/docs HTTP/1.1
x-ms-documentdb-responsecontinuationtokenlimitinkb: 1
x-ms-documentdb-query-enablecrosspartition: true
Cache-Control: no-cache
x-ms-version: 2020-07-15
User-Agent: Node.js/20.20.2 (linux; x64) azure-cosmos-js/4.10.1
x-ms-useragent: Node.js/20.20.2 (linux; x64) azure-cosmos-js/4.10.1
x-ms-cosmos-sdk-supportedcapabilities: 1
x-ms-cosmos-allow-tentative-writes: true
A-IM: Incremental Feed
x-ms-documentdb-partitionkey: ["p"]
x-ms-date: Sat, 21 Nov 2026 12:24:08 GMT
Accept: application/json
authorization: type%3Dmaster%26ver%3D1.0%26sig%3DMdG9WG4kDAfRrQFyv5joyGnXpNzaQYibO42EJR3fVBE%3D
Host: 127.0.0.1:8091
Connection: keep-alive

)cap";
inline constexpr std::string_view cf_partition_key_response = R"cap(HTTP/1.1 200 OK
x-ms-item-count: 3
content-type: application/json
content-location: https://127.0.0.1:8091/dbs/capdb/colls/cf/docs
connection: close
x-ms-activity-id: db170641-0b54-4857-836b-e93bad78b63c
x-ms-request-charge: 1
etag: 1
Date: Sat, 21 Nov 2026 12:24:08 GMT
Content-Length: 605

{"Documents":[{"id":"x1","pk":"p","_etag":"1b0ff304-b41d-4af1-857d-b0f4eddce5f6","_rid":"gAABAIAAAAIBAAAAAAAAAA==","_self":"/dbs/gAABAA==/colls/gAABAIAAAAI=/docs/gAABAIAAAAIBAAAAAAAAAA==/","_ts":1795263848},{"id":"x2","pk":"q","_etag":"5068bb6c-d057-4f3d-b1b1-5926851f0ba1","_rid":"gAABAIAAAAICAAAAAAAAAA==","_self":"/dbs/gAABAA==/colls/gAABAIAAAAI=/docs/gAABAIAAAAICAAAAAAAAAA==/","_ts":1795263848},{"id":"x3","pk":"p","_etag":"00d7eceb-5c49-485a-baba-d4205f66464e","_rid":"gAABAIAAAAIDAAAAAAAAAA==","_self":"/dbs/gAABAA==/colls/gAABAIAAAAI=/docs/gAABAIAAAAIDAAAAAAAAAA==/","_ts":1795263848}],"_count":3})cap";

// 22a-changefeed-pull-epk-subrange.txt, connection #43
inline constexpr std::string_view cf_epk_request = R"cap(GET /dbs/capdb/colls/cf/docs HTTP/1.1
x-ms-documentdb-responsecontinuationtokenlimitinkb: 1
x-ms-documentdb-query-enablecrosspartition: true
Cache-Control: no-cache
x-ms-version: 2020-07-15
User-Agent: Node.js/20.20.2 (linux; x64) azure-cosmos-js/4.10.1
x-ms-useragent: Node.js/20.20.2 (linux; x64) azure-cosmos-js/4.10.1
x-ms-cosmos-sdk-supportedcapabilities: 1
x-ms-cosmos-allow-tentative-writes: true
A-IM: Incremental Feed
x-ms-documentdb-partitionkeyrangeid: 0
x-ms-date: Sat, 21 Nov 2026 12:24:09 GMT
Accept: application/json
authorization: type%3Dmaster%26ver%3D1.0%26sig%3DMMiMhWI7UEkuDkjESlEZbai6Hxd8rWogCC9cO9ymt%2BQ%3D
x-ms-start-epk: 
x-ms-end-epk: 7F
x-ms-read-key-type: EffectivePartitionKeyRange
Host: 127.0.0.1:8091
Connection: keep-alive

)cap";
inline constexpr std::string_view cf_epk_response = R"cap(HTTP/1.1 200 OK
x-ms-item-count: 3
content-type: application/json
content-location: https://127.0.0.1:8091/dbs/capdb/colls/cf/docs
connection: close
x-ms-activity-id: 31b75238-9775-403f-99bf-f3bb0ba5de06
x-ms-request-charge: 1
etag: 1
Date: Sat, 21 Nov 2026 12:24:09 GMT
Content-Length: 605

{"Documents":[{"id":"x1","pk":"p","_etag":"1b0ff304-b41d-4af1-857d-b0f4eddce5f6","_rid":"gAABAIAAAAIBAAAAAAAAAA==","_self":"/dbs/gAABAA==/colls/gAABAIAAAAI=/docs/gAABAIAAAAIBAAAAAAAAAA==/","_ts":1795263848},{"id":"x2","pk":"q","_etag":"5068bb6c-d057-4f3d-b1b1-5926851f0ba1","_rid":"gAABAIAAAAICAAAAAAAAAA==","_self":"/dbs/gAABAA==/colls/gAABAIAAAAI=/docs/gAABAIAAAAICAAAAAAAAAA==/","_ts":1795263848},{"id":"x3","pk":"p","_etag":"00d7eceb-5c49-485a-baba-d4205f66464e","_rid":"gAABAIAAAAIDAAAAAAAAAA==","_self":"/dbs/gAABAA==/colls/gAABAIAAAAI=/docs/gAABAIAAAAIDAAAAAAAAAA==/","_ts":1795263848}],"_count":3})cap";

// 22b-changefeed-allversionsanddeletes-now.txt, connection #46
inline constexpr std::string_view cf_full_fidelity_request = R"cap(GET /dbs/capdb/colls/cf/docs HTTP/1.1
x-ms-documentdb-responsecontinuationtokenlimitinkb: 1
x-ms-documentdb-query-enablecrosspartition: true
Cache-Control: no-cache
x-ms-version: 2020-07-15
User-Agent: Node.js/20.20.2 (linux; x64) azure-cosmos-js/4.10.1
x-ms-useragent: Node.js/20.20.2 (linux; x64) azure-cosmos-js/4.10.1
If-None-Match: *
x-ms-cosmos-sdk-supportedcapabilities: 1
x-ms-cosmos-allow-tentative-writes: true
A-IM: Full-Fidelity Feed
x-ms-cosmos-changefeed-wire-format-version: 2021-09-15
x-ms-documentdb-partitionkeyrangeid: 0
x-ms-date: Sat, 21 Nov 2026 12:24:09 GMT
Accept: application/json
authorization: type%3Dmaster%26ver%3D1.0%26sig%3DMMiMhWI7UEkuDkjESlEZbai6Hxd8rWogCC9cO9ymt%2BQ%3D
Host: 127.0.0.1:8091
Connection: keep-alive

)cap";
inline constexpr std::string_view cf_full_fidelity_response = R"cap(HTTP/1.1 304 Not Modified
x-ms-item-count: 3
content-type: application/json
content-location: https://127.0.0.1:8091/dbs/capdb/colls/cf/docs
connection: close
x-ms-activity-id: 1fbd12f0-8a40-49fb-9c7b-10a64fef281e
x-ms-request-charge: 1
etag: 1
Date: Sat, 21 Nov 2026 12:24:09 GMT

)cap";

// 23-batch-creates-only.txt, connection #52
inline constexpr std::string_view batch_creates_request = R"cap(POST /dbs/capdb/colls/cc/docs HTTP/1.1
x-ms-documentdb-responsecontinuationtokenlimitinkb: 1
x-ms-documentdb-query-enablecrosspartition: true
Cache-Control: no-cache
x-ms-version: 2020-07-15
User-Agent: Node.js/20.20.2 (linux; x64) azure-cosmos-js/4.10.1
x-ms-useragent: Node.js/20.20.2 (linux; x64) azure-cosmos-js/4.10.1
x-ms-cosmos-sdk-supportedcapabilities: 1
x-ms-cosmos-allow-tentative-writes: true
x-ms-documentdb-partitionkey: ["bp"]
x-ms-date: Sat, 21 Nov 2026 12:24:09 GMT
Content-Type: application/json
Accept: application/json
authorization: type%3Dmaster%26ver%3D1.0%26sig%3D80sfkluWJKc0hJIlVyvG4pyINPi58SnYNWp6hMDeunM%3D
x-ms-cosmos-is-batch-request: true
x-ms-cosmos-batch-atomic: true
Content-Length: 131
Host: 127.0.0.1:8091
Connection: keep-alive

[{"operationType":"Create","resourceBody":{"id":"bb1","pk":"bp"}},{"operationType":"Create","resourceBody":{"id":"bb2","pk":"bp"}}])cap";
inline constexpr std::string_view batch_creates_response = R"cap(HTTP/1.1 200 OK
content-type: application/json
content-location: https://127.0.0.1:8091/dbs/capdb/colls/cc/docs
connection: close
x-ms-activity-id: e702b420-63c0-4134-b440-4c1684a7d18e
x-ms-request-charge: 1
Date: Sat, 21 Nov 2026 12:24:09 GMT
Content-Length: 587

[{"statusCode":201,"requestCharge":1,"eTag":"b95d81f5-8f92-4f55-8518-82fce2594b9a","resourceBody":{"id":"bb1","pk":"bp","_etag":"b95d81f5-8f92-4f55-8518-82fce2594b9a","_rid":"gAABAIAAAAEEAAAAAAAAAA==","_self":"/dbs/gAABAA==/colls/gAABAIAAAAE=/docs/gAABAIAAAAEEAAAAAAAAAA==/","_ts":1795263849}},{"statusCode":201,"requestCharge":1,"eTag":"25b0a4f6-3a5b-4af0-a6c9-5093f8743d9a","resourceBody":{"id":"bb2","pk":"bp","_etag":"25b0a4f6-3a5b-4af0-a6c9-5093f8743d9a","_rid":"gAABAIAAAAEFAAAAAAAAAA==","_self":"/dbs/gAABAA==/colls/gAABAIAAAAE=/docs/gAABAIAAAAEFAAAAAAAAAA==/","_ts":1795263849}}])cap";

// 24-batch-upsert-read-fails.txt, connection #53
inline constexpr std::string_view batch_without_pk_request = R"cap(POST /dbs/capdb/colls/cc/docs HTTP/1.1
x-ms-documentdb-responsecontinuationtokenlimitinkb: 1
x-ms-documentdb-query-enablecrosspartition: true
Cache-Control: no-cache
x-ms-version: 2020-07-15
User-Agent: Node.js/20.20.2 (linux; x64) azure-cosmos-js/4.10.1
x-ms-useragent: Node.js/20.20.2 (linux; x64) azure-cosmos-js/4.10.1
x-ms-cosmos-sdk-supportedcapabilities: 1
x-ms-cosmos-allow-tentative-writes: true
x-ms-documentdb-partitionkey: ["bp"]
x-ms-date: Sat, 21 Nov 2026 12:24:09 GMT
Content-Type: application/json
Accept: application/json
authorization: type%3Dmaster%26ver%3D1.0%26sig%3D80sfkluWJKc0hJIlVyvG4pyINPi58SnYNWp6hMDeunM%3D
x-ms-cosmos-is-batch-request: true
x-ms-cosmos-batch-atomic: true
Content-Length: 102
Host: 127.0.0.1:8091
Connection: keep-alive

[{"operationType":"Upsert","resourceBody":{"id":"bb3","pk":"bp"}},{"operationType":"Read","id":"bb1"}])cap";
inline constexpr std::string_view batch_without_pk_response = R"cap(HTTP/1.1 500 Internal Server Error
content-type: application/json
content-location: https://127.0.0.1:8091/dbs/capdb/colls/cc/docs
connection: close
x-ms-activity-id: fc1d393b-88b2-4f6c-8ac9-085c2bd30044
x-ms-request-charge: 1
Date: Sat, 21 Nov 2026 12:24:09 GMT
Content-Length: 77

{"message":"Failed to parse x-ms-documentdb-partitionkey headers: undefined"})cap";

// 24a-batch-with-per-op-partitionKey.txt, connection #54
inline constexpr std::string_view batch_per_op_pk_request = R"cap(POST /dbs/capdb/colls/cc/docs HTTP/1.1
x-ms-documentdb-responsecontinuationtokenlimitinkb: 1
x-ms-documentdb-query-enablecrosspartition: true
Cache-Control: no-cache
x-ms-version: 2020-07-15
User-Agent: Node.js/20.20.2 (linux; x64) azure-cosmos-js/4.10.1
x-ms-useragent: Node.js/20.20.2 (linux; x64) azure-cosmos-js/4.10.1
x-ms-cosmos-sdk-supportedcapabilities: 1
x-ms-cosmos-allow-tentative-writes: true
x-ms-documentdb-partitionkey: ["bp"]
x-ms-date: Sat, 21 Nov 2026 12:24:09 GMT
Content-Type: application/json
Accept: application/json
authorization: type%3Dmaster%26ver%3D1.0%26sig%3D80sfkluWJKc0hJIlVyvG4pyINPi58SnYNWp6hMDeunM%3D
x-ms-cosmos-is-batch-request: true
x-ms-cosmos-batch-atomic: true
Content-Length: 218
Host: 127.0.0.1:8091
Connection: keep-alive

[{"operationType":"Upsert","partitionKey":"[\"bp\"]","resourceBody":{"id":"bb3","pk":"bp"}},{"operationType":"Read","partitionKey":"[\"bp\"]","id":"bb1"},{"operationType":"Delete","partitionKey":"[\"bp\"]","id":"bb2"}])cap";
inline constexpr std::string_view batch_per_op_pk_response = R"cap(HTTP/1.1 200 OK
content-type: application/json
content-location: https://127.0.0.1:8091/dbs/capdb/colls/cc/docs
connection: close
x-ms-activity-id: 6c0e1c2e-b874-45e3-87ca-b3a1b780ffaf
x-ms-request-charge: 1
Date: Sat, 21 Nov 2026 12:24:09 GMT
Content-Length: 624

[{"statusCode":201,"requestCharge":1,"eTag":"1d38aa24-ef3f-4460-a88d-45a75aea0105","resourceBody":{"id":"bb3","pk":"bp","_etag":"1d38aa24-ef3f-4460-a88d-45a75aea0105","_rid":"gAABAIAAAAEGAAAAAAAAAA==","_self":"/dbs/gAABAA==/colls/gAABAIAAAAE=/docs/gAABAIAAAAEGAAAAAAAAAA==/","_ts":1795263849}},{"statusCode":200,"requestCharge":1,"eTag":"b95d81f5-8f92-4f55-8518-82fce2594b9a","resourceBody":{"id":"bb1","pk":"bp","_etag":"b95d81f5-8f92-4f55-8518-82fce2594b9a","_rid":"gAABAIAAAAEEAAAAAAAAAA==","_self":"/dbs/gAABAA==/colls/gAABAIAAAAE=/docs/gAABAIAAAAEEAAAAAAAAAA==/","_ts":1795263849}},{"statusCode":204,"requestCharge":1}])cap";

// 26-executeBulkOperations.txt, connection #57
inline constexpr std::string_view bulk_request = R"cap(POST /dbs/capdb/colls/cc/docs HTTP/1.1
x-ms-documentdb-responsecontinuationtokenlimitinkb: 1
x-ms-documentdb-query-enablecrosspartition: true
Cache-Control: no-cache
x-ms-version: 2020-07-15
User-Agent: Node.js/20.20.2 (linux; x64) azure-cosmos-js/4.10.1
x-ms-useragent: Node.js/20.20.2 (linux; x64) azure-cosmos-js/4.10.1
x-ms-cosmos-sdk-supportedcapabilities: 1
x-ms-cosmos-allow-tentative-writes: true
x-ms-date: Sat, 21 Nov 2026 12:24:10 GMT
Content-Type: application/json
Accept: application/json
authorization: type%3Dmaster%26ver%3D1.0%26sig%3DUEJpOacM8RTR0gnICis3Eo2%2FpBC%2FUo3kjJGTQzft2r4%3D
x-ms-cosmos-is-batch-request: true
x-ms-documentdb-partitionkeyrangeid: 0
x-ms-cosmos-batch-atomic: false
x-ms-cosmos-batch-continue-on-error: true
Content-Length: 245
Host: 127.0.0.1:8091
Connection: keep-alive

[{"operationType":"Upsert","partitionKey":"[\"k1\"]","resourceBody":{"id":"eb1","pk":"k1"}},{"operationType":"Create","partitionKey":"[\"k1\"]","resourceBody":{"id":"eb2","pk":"k1"}},{"operationType":"Read","partitionKey":"[\"k1\"]","id":"eb1"}])cap";
inline constexpr std::string_view bulk_response = R"cap(HTTP/1.1 200 OK
content-type: application/json
content-location: https://127.0.0.1:8091/dbs/capdb/colls/cc/docs
connection: close
x-ms-activity-id: 640033de-6ced-4f3b-8b03-0c894286e73f
x-ms-request-charge: 1
Date: Sat, 21 Nov 2026 12:24:10 GMT
Content-Length: 880

[{"statusCode":201,"requestCharge":1,"eTag":"2f2c014d-15cf-4aca-8191-bd8633b6a38f","resourceBody":{"id":"eb1","pk":"k1","_etag":"2f2c014d-15cf-4aca-8191-bd8633b6a38f","_rid":"gAABAIAAAAEIAAAAAAAAAA==","_self":"/dbs/gAABAA==/colls/gAABAIAAAAE=/docs/gAABAIAAAAEIAAAAAAAAAA==/","_ts":1795263850}},{"statusCode":201,"requestCharge":1,"eTag":"61a6819d-bb39-433f-9f26-88df7bf296c9","resourceBody":{"id":"eb2","pk":"k1","_etag":"61a6819d-bb39-433f-9f26-88df7bf296c9","_rid":"gAABAIAAAAEJAAAAAAAAAA==","_self":"/dbs/gAABAA==/colls/gAABAIAAAAE=/docs/gAABAIAAAAEJAAAAAAAAAA==/","_ts":1795263850}},{"statusCode":200,"requestCharge":1,"eTag":"2f2c014d-15cf-4aca-8191-bd8633b6a38f","resourceBody":{"id":"eb1","pk":"k1","_etag":"2f2c014d-15cf-4aca-8191-bd8633b6a38f","_rid":"gAABAIAAAAEIAAAAAAAAAA==","_self":"/dbs/gAABAA==/colls/gAABAIAAAAE=/docs/gAABAIAAAAEIAAAAAAAAAA==/","_ts":1795263850}}])cap";

// 28-delete-database.txt, connection #59
inline constexpr std::string_view delete_database_request = R"cap(DELETE /dbs/capdb HTTP/1.1
x-ms-documentdb-responsecontinuationtokenlimitinkb: 1
x-ms-documentdb-query-enablecrosspartition: true
Cache-Control: no-cache
x-ms-version: 2020-07-15
User-Agent: Node.js/20.20.2 (linux; x64) azure-cosmos-js/4.10.1
x-ms-useragent: Node.js/20.20.2 (linux; x64) azure-cosmos-js/4.10.1
x-ms-cosmos-sdk-supportedcapabilities: 1
x-ms-cosmos-allow-tentative-writes: true
x-ms-date: Sat, 21 Nov 2026 12:24:11 GMT
Accept: application/json
authorization: type%3Dmaster%26ver%3D1.0%26sig%3DqcYCySJahH1szzu6oSd20V53IRUXigVy4ju8bnOY58c%3D
Host: 127.0.0.1:8091
Connection: keep-alive

)cap";
inline constexpr std::string_view delete_database_response = R"cap(HTTP/1.1 204 No Content
content-type: application/json
content-location: https://127.0.0.1:8091/dbs/capdb
connection: close
x-ms-activity-id: d3f39eb2-f006-4dec-9665-c3ee8fe30789
x-ms-request-charge: 1
Date: Sat, 21 Nov 2026 12:24:11 GMT

)cap";

} // namespace captures
