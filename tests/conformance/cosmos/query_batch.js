// Queries, transactional batch and bulk of `bulkd emulator` with the official @azure/cosmos
// (pinned in ../package-lock.json): a parameterized cross-partition query, SELECT VALUE COUNT,
// ORDER BY with paging, a query scoped to one partition key, items.batch (success and rollback)
// and executeBulkOperations of BULKD_DOC_COUNT upserts (the emulator runs with --ranges 4).
//
// Environment (set by run_cosmos.sh): BULKD_EMULATOR_URL, BULKD_DOC_COUNT, NODE_EXTRA_CA_CERTS.
// Exits 0 when every check passed, 1 with the failed check otherwise.
"use strict";

const assert = require("node:assert/strict");
const { CosmosClient, BulkOperationType } = require("@azure/cosmos");

const url = process.env.BULKD_EMULATOR_URL;
const docCount = Number(process.env.BULKD_DOC_COUNT || "2000");
if (!url) {
  console.error("BULKD_EMULATOR_URL is not set (run this through run_cosmos.sh)");
  process.exit(2);
}
const key =
  "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==";
const keys = 41;

async function main() {
  const client = new CosmosClient({
    endpoint: url,
    key,
    connectionPolicy: { enableEndpointDiscovery: false },
  });
  const { database } = await client.databases.createIfNotExists({ id: "qbdb" });
  const { container } = await database.containers.createIfNotExists({
    id: "qb",
    partitionKey: { paths: ["/pk"] },
  });

  // Bulk: every upsert succeeds, spread over the four ranges.
  const ops = [];
  for (let i = 0; i < docCount; ++i)
    ops.push({
      operationType: BulkOperationType.Upsert,
      partitionKey: `k${i % keys}`,
      resourceBody: { id: `d${i}`, pk: `k${i % keys}`, n: i },
    });
  const bulk = await container.items.executeBulkOperations(ops);
  assert.equal(bulk.length, docCount, "bulk: one result per operation");
  for (const r of bulk) {
    assert.ok(!r.error, `bulk: ${r.error && r.error.message}`);
    assert.equal(r.response.statusCode, 201, "bulk: upsert of a new document");
  }

  // Parameterized cross-partition query.
  const { resources: some } = await container.items
    .query({
      query: "SELECT * FROM c WHERE c.n >= @min AND c.pk = @pk",
      parameters: [
        { name: "@min", value: docCount - keys * 3 },
        { name: "@pk", value: "k3" },
      ],
    })
    .fetchAll();
  const expected = [];
  for (let i = docCount - keys * 3; i < docCount; ++i) if (i % keys === 3) expected.push(`d${i}`);
  assert.deepEqual(some.map((d) => d.id).sort(), expected.sort(), "parameterized query");

  // COUNT over every range.
  const { resources: count } = await container.items
    .query("SELECT VALUE COUNT(1) FROM c")
    .fetchAll();
  assert.deepEqual(count, [docCount], "SELECT VALUE COUNT(1)");

  // ORDER BY across ranges, paged by 100.
  const ordered = [];
  const it = container.items.query("SELECT VALUE c.n FROM c ORDER BY c.n DESC", {
    maxItemCount: 100,
  });
  while (it.hasMoreResults()) {
    const page = await it.fetchNext();
    ordered.push(...page.resources);
  }
  assert.equal(ordered.length, docCount, "ORDER BY: every document once");
  for (let i = 0; i < docCount; ++i) assert.equal(ordered[i], docCount - 1 - i, "ORDER BY DESC");

  // One partition key.
  const { resources: inKey } = await container.items
    .query("SELECT VALUE COUNT(1) FROM c", { partitionKey: "k5" })
    .fetchAll();
  let perKey = 0;
  for (let i = 0; i < docCount; ++i) if (i % keys === 5) ++perKey;
  assert.deepEqual(inKey, [perKey], "query with a partition key");

  // Unsupported SQL is a 400 that names the construct.
  await assert.rejects(
    container.items.query("SELECT VALUE c.pk FROM c GROUP BY c.pk").fetchAll(),
    (err) => err.code === 400 && /GROUP BY/.test(err.message),
    "GROUP BY is rejected with 400",
  );

  // Transactional batch: success.
  const ok = await container.items.batch(
    [
      { operationType: BulkOperationType.Create, resourceBody: { id: "b1", pk: "batch" } },
      { operationType: BulkOperationType.Upsert, resourceBody: { id: "b2", pk: "batch", v: 1 } },
      { operationType: BulkOperationType.Read, id: "b1" },
      {
        operationType: BulkOperationType.Patch,
        id: "b2",
        resourceBody: { operations: [{ op: "incr", path: "/v", value: 2 }] },
      },
    ],
    "batch",
  );
  assert.equal(ok.code, 200, "batch: 200");
  assert.deepEqual(
    ok.result.map((r) => r.statusCode),
    [201, 201, 200, 200],
    "batch: per-operation statuses",
  );
  assert.equal(ok.result[3].resourceBody.v, 3, "batch: patch result");

  // Transactional batch: a conflict rolls everything back.
  let failed;
  try {
    failed = await container.items.batch(
      [
        { operationType: BulkOperationType.Create, resourceBody: { id: "b3", pk: "batch" } },
        { operationType: BulkOperationType.Create, resourceBody: { id: "b1", pk: "batch" } },
      ],
      "batch",
    );
  } catch (err) {
    failed = { code: err.code, result: err.result };
  }
  assert.equal(failed.code, 207, "failed batch: 207");
  const { resources: b3 } = await container.items
    .query("SELECT * FROM c WHERE c.id = 'b3'")
    .fetchAll();
  assert.equal(b3.length, 0, "failed batch: nothing written");

  // Patch through the item API.
  const { resource: patched } = await container
    .item("d0", "k0")
    .patch({ operations: [{ op: "set", path: "/tag", value: "x" }], condition: "FROM c WHERE c.n = 0" });
  assert.equal(patched.tag, "x", "patch");

  console.log(`query_batch: ${docCount} bulk upserts, queries, batch and patch passed`);
}

main().catch((err) => {
  console.error("query_batch failed:", err && (err.stack || err.message || err));
  if (err && err.body) console.error(JSON.stringify(err.body));
  process.exit(1);
});
