// The request/response surface of `bulkd emulator` with the official @azure/cosmos (pinned in
// ../package-lock.json), against a 4-range container: the database account, database and
// container createIfNotExists, item CRUD with etags (409, 412, 404), readAll, readPartitionKeyRanges,
// a parameterized cross-partition query, SELECT VALUE COUNT, ORDER BY with paging, a query scoped
// to one partition key, items.batch (success and rollback), patch, and executeBulkOperations of
// BULKD_DOC_COUNT upserts (default 2,000; bulk.js runs the large loads).
//
// Environment (set by run_cosmos.sh): BULKD_EMULATOR_URL, BULKD_DOC_COUNT, NODE_EXTRA_CA_CERTS.
// Exits 0 when every check passed, 1 with the failed check otherwise.
"use strict";

const assert = require("node:assert/strict");
const { BulkOperationType, StatusCodes } = require("@azure/cosmos");
const c = require("./common.js");

const docCount = c.docCount(2000);
const keys = 41;

// Expects `promise` to fail with `code`; returns the error.
async function failsWith(promise, code, what) {
  try {
    await promise;
  } catch (err) {
    assert.equal(err.code, code, `${what}: ${err.message}`);
    return err;
  }
  assert.fail(`${what}: succeeded, expected ${code}`);
}

async function accountAndCrud(client) {
  const { resource: account } = await client.getDatabaseAccount();
  assert.equal(account.writableLocations.length, 1, "account: one writable location");
  assert.equal(
    account.writableLocations[0].databaseAccountEndpoint.replace(/\/$/, ""),
    c.url,
    "account: the location is the emulator itself",
  );
  assert.equal(account.readableLocations.length, 1, "account: one readable location");

  const made = await client.databases.createIfNotExists({ id: "crud" });
  assert.equal(made.statusCode, StatusCodes.Created, "database created");
  const again = await client.databases.createIfNotExists({ id: "crud" });
  assert.equal(again.statusCode, StatusCodes.Ok, "database createIfNotExists: exists");
  const spec = { id: "items", partitionKey: { paths: ["/pk"] } };
  const coll = await again.database.containers.createIfNotExists(spec);
  assert.equal(coll.statusCode, StatusCodes.Created, "container created");
  const collAgain = await again.database.containers.createIfNotExists(spec);
  assert.equal(collAgain.statusCode, StatusCodes.Ok, "container createIfNotExists: exists");
  const { resources: colls } = await again.database.containers.readAll().fetchAll();
  assert.deepEqual(colls.map((x) => x.id), ["items"], "containers listed");
  const container = coll.container;
  await c.checkRanges(container, 4);

  const created = await container.items.create({ id: "a", pk: "p", v: 1 });
  assert.equal(created.statusCode, StatusCodes.Created, "create: 201");
  assert.ok(created.resource._etag && created.resource._rid && created.resource._ts, "system properties");
  await failsWith(container.items.create({ id: "a", pk: "p" }), StatusCodes.Conflict, "create twice");
  const read = await container.item("a", "p").read();
  assert.equal(read.statusCode, StatusCodes.Ok, "read: 200");
  assert.equal(read.resource.v, 1, "read: body");
  assert.equal(read.etag, created.etag, "read: etag of the create");
  assert.equal((await container.item("a", "other").read()).statusCode, StatusCodes.NotFound, "read with another key: 404");
  const replaced = await container
    .item("a", "p")
    .replace({ id: "a", pk: "p", v: 2 }, { accessCondition: { type: "IfMatch", condition: read.etag } });
  assert.equal(replaced.statusCode, StatusCodes.Ok, "replace with the current etag: 200");
  assert.notEqual(replaced.etag, read.etag, "replace: a new etag");
  await failsWith(
    container.item("a", "p").replace({ id: "a", pk: "p", v: 3 }, { accessCondition: { type: "IfMatch", condition: read.etag } }),
    StatusCodes.PreconditionFailed,
    "replace with a stale etag",
  );
  const upserted = await container.items.upsert({ id: "a", pk: "p", v: 4 });
  assert.equal(upserted.statusCode, StatusCodes.Ok, "upsert of an existing item: 200");
  const deleted = await container.item("a", "p").delete();
  assert.equal(deleted.statusCode, StatusCodes.NoContent, "delete: 204");
  assert.equal((await container.item("a", "p").read()).statusCode, StatusCodes.NotFound, "read after delete: 404");
  await failsWith(container.item("a", "p").delete(), StatusCodes.NotFound, "delete twice");

  const many = Array.from({ length: 250 }, (_, i) => ({ id: `r${i}`, pk: `k${i % 7}`, n: i }));
  await c.upsertAll(container, many);
  const { resources: all } = await container.items.readAll({ maxItemCount: 40 }).fetchAll();
  c.checkOnce(all.map((d) => d.id), many.map((d) => d.id), "readAll");
  await client.database("crud").delete();
  await failsWith(client.database("crud").read(), StatusCodes.NotFound, "read a deleted database");
}

async function main() {
  const client = c.makeClient();
  await c.step("account, databases, containers, item CRUD, readAll", () => accountAndCrud(client));
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
  const bulk = await c.step(`executeBulkOperations: ${docCount} upserts`, () =>
    container.items.executeBulkOperations(ops),
  );
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

  console.log(`  ${docCount} bulk upserts, queries, batch and patch passed`);
}

c.run("queries, batch and bulk conformance", main);
