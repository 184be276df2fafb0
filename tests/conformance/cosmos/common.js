// Shared by the @azure/cosmos conformance scripts: the client for the emulator run_cosmos.sh
// started, timed steps, and exact-set checks over change feeds.
"use strict";

const assert = require("node:assert/strict");
const { CosmosClient, ChangeFeedStartFrom, StatusCodes } = require("@azure/cosmos");

const url = process.env.BULKD_EMULATOR_URL;
if (!url) {
  console.error("BULKD_EMULATOR_URL is not set (run this through run_cosmos.sh)");
  process.exit(2);
}
// The emulator's faults (--faults), as run_cosmos.sh passed them; empty without faults.
const faults = process.env.BULKD_FAULTS || "";

const key =
  "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==";

function docCount(fallback) {
  return Number(process.env.BULKD_DOC_COUNT || String(fallback));
}

// Counts what the SDK saw on the wire: whole requests answered 429, and operations answered 429
// inside a 200/207 bulk or batch response (both are retried by the SDK).
const wire = { requests: 0, throttledRequests: 0, throttledOperations: 0 };

function countingPlugin() {
  // PluginOn.request: runs around every HTTP request, retries included (a @hidden SDK hook).
  return {
    on: "request",
    plugin: async (context, diagnosticNode, next) => {
      ++wire.requests;
      try {
        const response = await next(context);
        if (Array.isArray(response.result))
          for (const r of response.result)
            if (r && r.statusCode === StatusCodes.TooManyRequests) ++wire.throttledOperations;
        return response;
      } catch (err) {
        if (err && err.code === StatusCodes.TooManyRequests) ++wire.throttledRequests;
        throw err;
      }
    },
  };
}

function makeClient(extraPolicy = {}) {
  return new CosmosClient({
    endpoint: url,
    key,
    connectionPolicy: { enableEndpointDiscovery: false, ...extraPolicy },
    plugins: [countingPlugin()],
  });
}

// Runs `fn`, printing its wall time; returns its result.
async function step(name, fn) {
  const start = process.hrtime.bigint();
  const result = await fn();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  console.log(`  ${name}: ${(ms / 1000).toFixed(2)} s`);
  return result;
}

// Single upserts, `width` at a time.
async function upsertAll(container, docs, width = 16) {
  let next = 0;
  async function worker() {
    while (next < docs.length) await container.items.upsert(docs[next++]);
  }
  await Promise.all(Array.from({ length: width }, worker));
}

// Reads a change-feed iterator until it answers 304 (every range caught up). Returns the
// documents and the last (304) response, whose continuation token resumes after them.
async function drain(iterator, maxPages = 100000) {
  const docs = [];
  for (let pages = 0; pages < maxPages; ++pages) {
    const res = await iterator.readNext();
    if (res.statusCode === StatusCodes.NotModified) return { docs, last: res };
    assert.equal(res.statusCode, StatusCodes.Ok, "change feed page status");
    docs.push(...res.result);
  }
  throw new Error("the change feed never answered 304");
}

// Asserts that `ids` holds every id of `expected` exactly once and nothing else.
function checkOnce(ids, expected, what) {
  const seen = new Set(ids);
  assert.equal(ids.length, seen.size, `${what}: a document came twice`);
  const want = new Set(expected);
  assert.equal(want.size, expected.length, `${what}: the expectation has duplicates`);
  const missing = [...want].filter((id) => !seen.has(id));
  const extra = [...seen].filter((id) => !want.has(id));
  assert.ok(
    missing.length === 0 && extra.length === 0,
    `${what}: ${missing.length} missing (${missing.slice(0, 5)}), ` +
      `${extra.length} unexpected (${extra.slice(0, 5)})`,
  );
}

// The documents of each physical range, read through the change feed of its feed range: one
// entry per range, in the order getFeedRanges lists them.
async function docsPerRange(container) {
  const ranges = await container.getFeedRanges();
  const out = [];
  for (const range of ranges) {
    const it = container.items.getChangeFeedIterator({
      changeFeedStartFrom: ChangeFeedStartFrom.Beginning(range),
      maxItemCount: 1000,
    });
    out.push((await drain(it)).docs);
  }
  return out;
}

// The four ranges of `--ranges 4`, complete: from "" to "FF" without gap or overlap.
async function checkRanges(container, expected) {
  const { resources } = await container.readPartitionKeyRanges().fetchAll();
  assert.equal(resources.length, expected, "readPartitionKeyRanges: range count");
  const sorted = [...resources].sort((a, b) => (a.minInclusive < b.minInclusive ? -1 : 1));
  assert.equal(sorted[0].minInclusive, "", "first range starts at the minimum EPK");
  assert.equal(sorted[sorted.length - 1].maxExclusive, "FF", "last range ends at FF");
  for (let i = 1; i < sorted.length; ++i)
    assert.equal(sorted[i].minInclusive, sorted[i - 1].maxExclusive, `range ${i} follows ${i - 1}`);
  assert.equal(new Set(sorted.map((r) => r.id)).size, expected, "range ids are distinct");
  return sorted;
}

// Runs `main`, printing its total wall time; exits 1 with the failure.
function run(name, main) {
  const start = Date.now();
  main().then(
    () => {
      console.log(`${name}: ok in ${((Date.now() - start) / 1000).toFixed(1)} s`);
    },
    (err) => {
      console.error(`${name} failed:`, err && (err.stack || err.message || err));
      if (err && err.body) console.error(JSON.stringify(err.body));
      process.exit(1);
    },
  );
}

module.exports = {
  checkOnce,
  checkRanges,
  docCount,
  docsPerRange,
  drain,
  faults,
  key,
  makeClient,
  run,
  step,
  upsertAll,
  url,
  wire,
};
