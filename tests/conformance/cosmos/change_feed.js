// Reads `bulkd emulator`'s change feed with the official @azure/cosmos (pinned in
// ../package-lock.json) over BULKD_DOC_COUNT documents (default 10,000) written across the four
// ranges of --ranges 4: getChangeFeedIterator from Beginning, from Now and from a continuation
// token saved in the middle of a pass. Each pass must give every document exactly once (exact id
// sets, latest versions), and new writes (creates and updates) must come on the next read of
// every iterator. Also: each feed range on its own, one partition key, the legacy changeFeed API.
//
// Environment (set by run_cosmos.sh): BULKD_EMULATOR_URL, BULKD_DOC_COUNT, NODE_EXTRA_CA_CERTS.
// Exits 0 when every check passed, 1 with the failed check otherwise.
"use strict";

const assert = require("node:assert/strict");
const { ChangeFeedStartFrom, StatusCodes } = require("@azure/cosmos");
const c = require("./common.js");

const docCount = c.docCount(10000);
const keys = 101;
const pkOf = (i) => `p${i % keys}`;

// Every document once, each at the version `versions` holds for its id.
function checkPass(docs, versions, what) {
  c.checkOnce(
    docs.map((d) => d.id),
    [...versions.keys()],
    what,
  );
  for (const d of docs) assert.equal(d.n, versions.get(d.id), `${what}: ${d.id} at its latest version`);
}

async function main() {
  const client = c.makeClient();
  const { database } = await client.databases.createIfNotExists({ id: "cfdb" });
  const { container } = await database.containers.createIfNotExists({
    id: "cf",
    partitionKey: { paths: ["/pk"], version: 2 },
  });
  await c.checkRanges(container, 4);

  // Started (first read answered 304) before anything is written.
  const now = container.items.getChangeFeedIterator({
    changeFeedStartFrom: ChangeFeedStartFrom.Now(),
    maxItemCount: 500,
  });
  assert.equal((await now.readNext()).statusCode, StatusCodes.NotModified, "now: empty at first");

  const docs = Array.from({ length: docCount }, (_, i) => ({ id: `d${i}`, pk: pkOf(i), n: i }));
  const versions = new Map(docs.map((d) => [d.id, d.n]));
  await c.step(`write ${docCount} documents (single upserts, 16 at a time)`, () =>
    c.upsertAll(container, docs),
  );

  // Every range holds documents, and the four feed ranges together hold each document once.
  const perRange = await c.step("read each feed range from the beginning", () =>
    c.docsPerRange(container),
  );
  assert.equal(perRange.length, 4, "four feed ranges");
  for (const [i, r] of perRange.entries()) assert.ok(r.length > 0, `feed range ${i} is empty`);
  checkPass(perRange.flat(), versions, "the four feed ranges together");
  console.log(`  documents per range: ${perRange.map((r) => r.length).join(", ")}`);

  const beginning = container.items.getChangeFeedIterator({
    changeFeedStartFrom: ChangeFeedStartFrom.Beginning(),
    maxItemCount: 100,
  });
  const first = await c.step("beginning: first pass", () => c.drain(beginning));
  checkPass(first.docs, versions, "from the beginning");

  const fromNow = await c.step("now: first pass", () => c.drain(now));
  checkPass(fromNow.docs, versions, "from now (everything was written after it started)");

  // A continuation saved in the middle of a pass: the pages before it and the resumed iterator
  // after it together give every document once.
  const partial = container.items.getChangeFeedIterator({
    changeFeedStartFrom: ChangeFeedStartFrom.Beginning(),
    maxItemCount: 100,
  });
  const before = [];
  let token;
  while (before.length < docCount / 3) {
    const page = await partial.readNext();
    assert.equal(page.statusCode, StatusCodes.Ok, "partial pass: 200");
    before.push(...page.result);
    token = page.continuationToken;
  }
  assert.ok(token, "a 200 page carries a continuation token");
  const resumed = container.items.getChangeFeedIterator({
    changeFeedStartFrom: ChangeFeedStartFrom.Continuation(token),
    maxItemCount: 100,
  });
  const after = await c.step("continuation saved after a third: rest of the pass", () =>
    c.drain(resumed),
  );
  checkPass(before.concat(after.docs), versions, "saved continuation (before + after)");
  console.log(`  continuation: ${before.length} before the token, ${after.docs.length} after`);

  // New writes: creates on every range and updates of old documents, which come once more at
  // their new version.
  const fresh = Array.from({ length: 500 }, (_, i) => ({ id: `n${i}`, pk: pkOf(i), n: -i - 1 }));
  const updates = Array.from({ length: 100 }, (_, i) => {
    const j = i * Math.floor(docCount / 100);
    return { id: `d${j}`, pk: pkOf(j), n: docCount + j };
  });
  await c.step("write 500 new and update 100 old documents", async () => {
    await c.upsertAll(container, fresh);
    await c.upsertAll(container, updates);
  });
  const changed = new Map([...fresh, ...updates].map((d) => [d.id, d.n]));
  for (const [id, n] of changed) versions.set(id, n);
  for (const [what, it] of [
    ["beginning", beginning],
    ["now", now],
    ["saved continuation", resumed],
  ]) {
    const next = await c.drain(it);
    checkPass(next.docs, changed, `${what}: next read after the new writes`);
    assert.equal((await it.readNext()).statusCode, StatusCodes.NotModified, `${what}: caught up`);
  }
  console.log(`  new writes: ${changed.size} changes seen once by each iterator`);

  // The continuation of a caught-up (304) iterator resumes exactly after it.
  const caughtUp = (await beginning.readNext()).continuationToken;
  assert.ok(caughtUp, "a 304 page carries a continuation token");
  await container.items.upsert({ id: "late", pk: "p1", n: 0 });
  const late = container.items.getChangeFeedIterator({
    changeFeedStartFrom: ChangeFeedStartFrom.Continuation(caughtUp),
  });
  c.checkOnce((await c.drain(late)).docs.map((d) => d.id), ["late"], "continuation of a 304");
  versions.set("late", 0);

  // A whole second pass from the beginning: the latest version of everything, once.
  const again = container.items.getChangeFeedIterator({
    changeFeedStartFrom: ChangeFeedStartFrom.Beginning(),
    maxItemCount: 1000,
  });
  const second = await c.step("beginning: second pass", () => c.drain(again));
  checkPass(second.docs, versions, "second pass from the beginning");

  // One partition key, through the iterator and through the legacy API (paged until 304).
  const p3 = new Map([...versions].filter(([id]) => docOrFreshPk(id) === "p3"));
  const byKey = container.items.getChangeFeedIterator({
    changeFeedStartFrom: ChangeFeedStartFrom.Beginning("p3"),
  });
  checkPass((await c.drain(byKey)).docs, p3, "one partition key");
  const legacy = container.items.changeFeed("p3", { startFromBeginning: true, maxItemCount: 50 });
  const legacyDocs = [];
  for (let pages = 0; ; ++pages) {
    assert.ok(pages < 1000, "legacy changeFeed API: no end");
    const page = await legacy.fetchNext();
    if (page.statusCode === StatusCodes.NotModified) break;
    legacyDocs.push(...page.result);
  }
  checkPass(legacyDocs, p3, "legacy changeFeed API");
  console.log(`  one partition key: ${p3.size} documents (iterator and legacy API)`);
}

// The partition key of the documents this script writes, from their id.
function docOrFreshPk(id) {
  if (id === "late") return "p1";
  return pkOf(Number(id.slice(1)));
}

c.run("change feed conformance", main);
