// The comparison side of `scripts/bench bulk`: loads a JSONL file into a container with the
// official @azure/cosmos bulk API (executeBulkOperations, the SDK's own per-range batching and
// concurrency), as a user of the SDK would. Lines are streamed and handed to the SDK in chunks of
// BULKD_SDK_CHUNK operations (one executeBulkOperations call each), so memory holds one chunk.
//
//   node sdk_bulk_load.js   (environment: BULKD_EMULATOR_URL, BULKD_INPUT, BULKD_DATABASE,
//                            BULKD_CONTAINER, BULKD_SDK_CHUNK, NODE_PATH=tests/conformance/node_modules)
//
// Prints one line of key=value pairs: docs, failed, seconds, docs_per_s, peak_rss_mib.
"use strict";

const fs = require("node:fs");
const readline = require("node:readline");
const { CosmosClient, BulkOperationType } = require("@azure/cosmos");

const url = process.env.BULKD_EMULATOR_URL;
const input = process.env.BULKD_INPUT;
const databaseId = process.env.BULKD_DATABASE || "bench";
const containerId = process.env.BULKD_CONTAINER || "sdk";
const chunk = Number(process.env.BULKD_SDK_CHUNK || "20000");
const key =
  process.env.BULKD_COSMOS_KEY ||
  "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==";

async function main() {
  if (!url || !input) {
    console.error("sdk_bulk_load.js: BULKD_EMULATOR_URL and BULKD_INPUT must be set");
    process.exit(2);
  }
  const client = new CosmosClient({
    endpoint: url,
    key,
    connectionPolicy: { enableEndpointDiscovery: false },
  });
  const { database } = await client.databases.createIfNotExists({ id: databaseId });
  const { container } = await database.containers.createIfNotExists({
    id: containerId,
    partitionKey: { paths: ["/pk"] },
  });

  let docs = 0;
  let failed = 0;
  const started = process.hrtime.bigint();
  const flush = async (ops) => {
    const results = await container.items.executeBulkOperations(ops);
    for (const r of results) {
      const status = r.response ? r.response.statusCode : 0;
      if (r.error || status < 200 || status > 299) ++failed;
      else ++docs;
    }
  };
  const lines = readline.createInterface({ input: fs.createReadStream(input), crlfDelay: Infinity });
  let ops = [];
  for await (const line of lines) {
    if (!line) continue;
    const doc = JSON.parse(line);
    ops.push({ operationType: BulkOperationType.Upsert, partitionKey: doc.pk, resourceBody: doc });
    if (ops.length >= chunk) {
      await flush(ops);
      ops = [];
    }
  }
  if (ops.length) await flush(ops);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const peak = process.resourceUsage().maxRSS / 1024; // maxRSS is in KiB
  console.log(
    `variant=sdk docs=${docs} failed=${failed} seconds=${seconds.toFixed(2)} ` +
      `docs_per_s=${Math.round(docs / seconds)} peak_rss_mib=${peak.toFixed(1)}`
  );
  process.exit(failed === 0 ? 0 : 1);
}

main().catch((err) => {
  console.error(`sdk_bulk_load.js: ${err.stack || err}`);
  process.exit(1);
});
