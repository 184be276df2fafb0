// executeBulkOperations of BULKD_DOC_COUNT upserts (default 20,000) with the official
// @azure/cosmos against `bulkd emulator --ranges 4`: every operation answered 200 (the document
// existed) or 201 (new) exactly as expected, the documents spread over all four ranges, then
// checked by SELECT VALUE COUNT(1) and readAll (every id once, every document at the version the
// bulk wrote). With BULKD_FAULTS set (the emulator runs with --faults 429=...), the same must hold
// through the SDK's retries, and the SDK must actually have been throttled.
//
// Environment (set by run_cosmos.sh): BULKD_EMULATOR_URL, BULKD_DOC_COUNT, BULKD_FAULTS,
// NODE_EXTRA_CA_CERTS. Exits 0 when every check passed, 1 with the failed check otherwise.
"use strict";

const assert = require("node:assert/strict");
const { BulkOperationType } = require("@azure/cosmos");
const c = require("./common.js");

const docCount = c.docCount(20000);
const existing = Math.min(500, docCount); // d0..d499 are written before the bulk: 200, not 201
const keys = 997;
const pkOf = (i) => `k${i % keys}`;

// Under --faults the SDK's default throttle budget (9 retries, 30 s of accumulated waits per
// operation) is not enough: at 429=0.3 per request and again per operation inside a bulk
// response, about one in two attempts of an operation is throttled, so some of 20,000 operations
// would use up 9 retries. The budget is raised far beyond what the test can need; it still ends.
const retryOptions = c.faults
  ? { maxRetryAttemptCount: 1000, maxWaitTimeInSeconds: 3600 }
  : undefined;

async function main() {
  const client = c.makeClient(retryOptions ? { retryOptions } : {});
  const { database } = await client.databases.createIfNotExists({ id: "bulkdb" });
  const { container } = await database.containers.createIfNotExists({
    id: "bulk",
    partitionKey: { paths: ["/pk"] },
  });
  await c.checkRanges(container, 4);

  const old = Array.from({ length: existing }, (_, i) => ({ id: `d${i}`, pk: pkOf(i), n: -1 }));
  await c.step(`write ${existing} documents the bulk will replace`, () =>
    c.upsertAll(container, old),
  );

  const ops = Array.from({ length: docCount }, (_, i) => ({
    operationType: BulkOperationType.Upsert,
    partitionKey: pkOf(i),
    resourceBody: { id: `d${i}`, pk: pkOf(i), n: i, text: "x".repeat(200) },
  }));
  const results = await c.step(`executeBulkOperations: ${docCount} upserts`, () =>
    container.items.executeBulkOperations(ops),
  );
  assert.equal(results.length, docCount, "bulk: one result per operation");
  const statuses = { 200: 0, 201: 0 };
  for (const [i, r] of results.entries()) {
    assert.ok(!r.error, `bulk: operation ${i} failed: ${r.error && r.error.message}`);
    assert.equal(r.operationInput.resourceBody.id, `d${i}`, "bulk: results in operation order");
    const want = i < existing ? 200 : 201;
    assert.equal(r.response.statusCode, want, `bulk: status of d${i} (existed: ${i < existing})`);
    ++statuses[want];
  }
  console.log(`  statuses: ${statuses[200]} x 200, ${statuses[201]} x 201`);
  if (c.faults) {
    console.log(
      `  throttled by --faults ${c.faults}: ${c.wire.throttledRequests} requests, ` +
        `${c.wire.throttledOperations} operations inside bulk responses ` +
        `(${c.wire.requests} requests in all)`,
    );
    assert.ok(
      c.wire.throttledRequests + c.wire.throttledOperations > 0,
      "the emulator ran with --faults but the SDK never saw a 429",
    );
  }

  const { resources: count } = await c.step("SELECT VALUE COUNT(1)", () =>
    container.items.query("SELECT VALUE COUNT(1) FROM c").fetchAll(),
  );
  assert.deepEqual(count, [docCount], "SELECT VALUE COUNT(1) counts every document once");

  const { resources: all } = await c.step("readAll", () =>
    container.items.readAll({ maxItemCount: 1000 }).fetchAll(),
  );
  c.checkOnce(
    all.map((d) => d.id),
    ops.map((o) => o.resourceBody.id),
    "readAll",
  );
  for (const d of all) {
    const i = Number(d.id.slice(1));
    assert.equal(d.n, i, `readAll: ${d.id} has the version the bulk wrote`);
    assert.equal(d.pk, pkOf(i), `readAll: ${d.id} partition key`);
  }

  const perRange = await c.step("change feed of each range", () => c.docsPerRange(container));
  for (const [i, r] of perRange.entries()) assert.ok(r.length > 0, `range ${i} got no document`);
  c.checkOnce(
    perRange.flat().map((d) => d.id),
    ops.map((o) => o.resourceBody.id),
    "the change feeds of the four ranges together",
  );
  console.log(`  documents per range: ${perRange.map((r) => r.length).join(", ")}`);
}

c.run(`bulk conformance (${docCount} upserts${c.faults ? `, faults ${c.faults}` : ""})`, main);
