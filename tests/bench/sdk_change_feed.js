// The comparison side of `scripts/bench feed` (catch-up rate): drains a container's change feed
// from the beginning with the official @azure/cosmos pull model, as a user of the SDK would:
// container.items.getChangeFeedIterator({ changeFeedStartFrom: ChangeFeedStartFrom.Beginning(),
// maxItemCount }) over the whole container, readNext() until it answers 304 (the SDK's
// hasMoreResults is always true for this iterator: it returns 304 once every feed range was
// polled without a change). Each page's items are appended to BULKD_OUTPUT as JSON lines and
// fsynced before the next read: the durability of bulkd's jsonl sink with fsync: true.
//
//   node sdk_change_feed.js   (environment: BULKD_EMULATOR_URL, BULKD_OUTPUT, BULKD_DATABASE,
//                              BULKD_CONTAINER, BULKD_MAX_ITEMS, BULKD_SDK_PER_RANGE,
//                              NODE_PATH=tests/conformance/node_modules)
//
// With BULKD_SDK_PER_RANGE=1 it runs one such iterator per feed range (container.getFeedRanges(),
// ChangeFeedStartFrom.Beginning(range)) concurrently, each until its own 304, all appending to the
// same file (variant sdk-ranges): what a user who parallelises by hand would write.
//
// Prints one line of key=value pairs: variant, docs, pages, inner_seconds (from before the first
// request to the last 304), inner_docs_per_s, peak_rss_mib (process.resourceUsage).
"use strict";

const fs = require("node:fs");
const { CosmosClient, ChangeFeedStartFrom, StatusCodes } = require("@azure/cosmos");

const url = process.env.BULKD_EMULATOR_URL;
const output = process.env.BULKD_OUTPUT;
const databaseId = process.env.BULKD_DATABASE || "bench";
const containerId = process.env.BULKD_CONTAINER || "feed";
const maxItemCount = Number(process.env.BULKD_MAX_ITEMS || "1000");
const perRange = process.env.BULKD_SDK_PER_RANGE === "1";
const key =
  process.env.BULKD_COSMOS_KEY ||
  "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==";

async function main() {
  if (!url || !output) {
    console.error("sdk_change_feed.js: BULKD_EMULATOR_URL and BULKD_OUTPUT must be set");
    process.exit(2);
  }
  const client = new CosmosClient({
    endpoint: url,
    key,
    connectionPolicy: { enableEndpointDiscovery: false },
  });
  const container = client.database(databaseId).container(containerId);
  const out = await fs.promises.open(output, "a", 0o600);

  let docs = 0;
  let pages = 0;
  // drain(startFrom): reads one iterator until it answers 304.
  const drain = async (startFrom) => {
    const iterator = container.items.getChangeFeedIterator({
      changeFeedStartFrom: startFrom,
      maxItemCount,
    });
    for (;;) {
      const page = await iterator.readNext();
      if (page.statusCode === StatusCodes.NotModified) return;
      if (page.statusCode !== StatusCodes.Ok)
        throw new Error(`change feed answered ${page.statusCode}`);
      if (page.result.length === 0) continue;
      let text = "";
      for (const item of page.result) text += JSON.stringify(item) + "\n";
      await out.write(text);
      await out.sync();
      docs += page.result.length;
      ++pages;
    }
  };
  const started = process.hrtime.bigint();
  if (perRange) {
    const ranges = await container.getFeedRanges();
    await Promise.all(ranges.map((r) => drain(ChangeFeedStartFrom.Beginning(r))));
  } else {
    await drain(ChangeFeedStartFrom.Beginning());
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  await out.close();
  const peak = process.resourceUsage().maxRSS / 1024; // maxRSS is in KiB
  console.log(
    `variant=${perRange ? "sdk-ranges" : "sdk"} docs=${docs} pages=${pages} ` +
      `inner_seconds=${seconds.toFixed(2)} inner_docs_per_s=${Math.round(docs / seconds)} ` +
      `peak_rss_mib=${peak.toFixed(1)}`
  );
}

main().catch((err) => {
  console.error(`sdk_change_feed.js: ${err.stack || err}`);
  process.exit(1);
});
