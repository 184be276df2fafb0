// Reads `bulkd emulator`'s change feed with the official @azure/cosmos (pinned in
// ../package-lock.json): getChangeFeedIterator from the beginning over BULKD_DOC_COUNT documents
// spread over every range, the continuation of the same iterator, a resumed continuation token,
// start-from-now, one partition key, and the legacy items.changeFeed API.
//
// Environment (set by run_cosmos.sh):
//   BULKD_EMULATOR_URL   https://127.0.0.1:PORT
//   BULKD_DOC_COUNT      documents to write (default 1000)
//   NODE_EXTRA_CA_CERTS  the emulator's self-signed certificate
// Exits 0 when every check passed, 1 with the failed check otherwise.
"use strict";

const assert = require("node:assert/strict");
const { CosmosClient, ChangeFeedStartFrom, StatusCodes } = require("@azure/cosmos");

const url = process.env.BULKD_EMULATOR_URL;
const docCount = Number(process.env.BULKD_DOC_COUNT || "1000");
if (!url) {
  console.error("BULKD_EMULATOR_URL is not set (run this through run_cosmos.sh)");
  process.exit(2);
}
const key =
  "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==";
const keys = 37;

async function writeAll(container, docs) {
  const width = 16;
  let next = 0;
  async function worker() {
    while (next < docs.length) {
      const doc = docs[next++];
      await container.items.upsert(doc);
    }
  }
  await Promise.all(Array.from({ length: width }, worker));
}

// Reads until the iterator answers 304 (every range caught up); the ids, once each expected.
async function drain(iterator) {
  const ids = [];
  let last;
  for (let pages = 0; pages < 10000; ++pages) {
    const res = await iterator.readNext();
    last = res;
    if (res.statusCode === StatusCodes.NotModified) return { ids, last };
    assert.equal(res.statusCode, StatusCodes.Ok);
    for (const item of res.result) ids.push(item.id);
  }
  throw new Error("the change feed never answered 304");
}

function checkOnce(ids, expected, what) {
  const seen = new Set(ids);
  assert.equal(ids.length, seen.size, `${what}: a document came twice`);
  assert.deepEqual([...seen].sort(), [...expected].sort(), `${what}: wrong documents`);
}

async function main() {
  const client = new CosmosClient({ endpoint: url, key });
  const { database } = await client.databases.createIfNotExists({ id: "cfdb" });
  const { container } = await database.containers.createIfNotExists({
    id: "cf",
    partitionKey: { paths: ["/pk"], version: 2 },
  });
  const ranges = await container.readPartitionKeyRanges().fetchAll();
  console.log(`ranges: ${ranges.resources.length}`);

  const docs = Array.from({ length: docCount }, (_, i) => ({ id: `d${i}`, pk: `p${i % keys}`, n: i }));
  await writeAll(container, docs);

  const iterator = container.items.getChangeFeedIterator({
    changeFeedStartFrom: ChangeFeedStartFrom.Beginning(),
    maxItemCount: 100,
  });
  const first = await drain(iterator);
  checkOnce(first.ids, docs.map((d) => d.id), "from the beginning");
  console.log(`beginning: ${first.ids.length} documents, each once`);

  const now = container.items.getChangeFeedIterator({
    changeFeedStartFrom: ChangeFeedStartFrom.Now(),
  });
  assert.equal((await now.readNext()).statusCode, StatusCodes.NotModified);

  const fresh = Array.from({ length: 20 }, (_, i) => ({ id: `n${i}`, pk: `p${i % keys}` }));
  await writeAll(container, fresh);
  // An update of an old document comes again, once, at its new version.
  await container.items.upsert({ id: "d7", pk: `p${7 % keys}`, n: -7 });
  const expected = fresh.map((d) => d.id).concat(["d7"]);
  const second = await drain(iterator);
  checkOnce(second.ids, expected, "same iterator after new writes");
  checkOnce((await drain(now)).ids, expected, "start from now");
  console.log(`continuation: ${second.ids.length} new changes`);

  const token = second.last.continuationToken;
  assert.ok(token, "a 304 page carries a continuation token");
  await container.items.upsert({ id: "late", pk: "p1" });
  const resumed = container.items.getChangeFeedIterator({
    changeFeedStartFrom: ChangeFeedStartFrom.Continuation(token),
  });
  checkOnce((await drain(resumed)).ids, ["late"], "resumed continuation token");

  const p3 = container.items.getChangeFeedIterator({
    changeFeedStartFrom: ChangeFeedStartFrom.Beginning("p3"),
  });
  const p3ids = docs.concat(fresh).filter((d) => d.pk === "p3").map((d) => d.id);
  checkOnce((await drain(p3)).ids, p3ids, "one partition key");

  const legacy = container.items.changeFeed("p3", { startFromBeginning: true });
  const page = await legacy.fetchNext();
  checkOnce(page.result.map((d) => d.id), p3ids, "legacy changeFeed API");
  assert.equal((await legacy.fetchNext()).statusCode, StatusCodes.NotModified);
  console.log("partition key and legacy API: ok");
}

main().then(
  () => console.log("change feed conformance: ok"),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
