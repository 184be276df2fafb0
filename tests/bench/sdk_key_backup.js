// The comparison side of `scripts/bench keys`: backs up every key of a vault with the official
// @azure/keyvault-keys SDK the way a user script would: list the keys (listPropertiesOfKeys, all
// pages), then one backupKey per key under a semaphore of BULKD_CONCURRENCY (default 10) calls at
// a time, each blob written to <BULKD_OUT_DIR>/<name>.kvbackup (the raw bytes, as bulkd stores an
// unencrypted blob).
//
//   node sdk_key_backup.js   (environment: BULKD_EMULATOR_URL, BULKD_OUT_DIR, BULKD_CONCURRENCY,
//                             NODE_EXTRA_CA_CERTS, NODE_PATH=tests/conformance/node_modules)
//
// Prints one line of key=value pairs: tool, keys, failed, bytes, inner_seconds (inside the script,
// from before the first request), list_seconds (of those, the listing), inner_keys_per_s. Exits 1
// when a backup failed.
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const { ClientSecretCredential } = require("@azure/identity");
const { KeyClient } = require("@azure/keyvault-keys");

const url = process.env.BULKD_EMULATOR_URL;
const outDir = process.env.BULKD_OUT_DIR;
const concurrency = Number(process.env.BULKD_CONCURRENCY || "10");

class Semaphore {
  constructor(n) {
    this.free = n;
    this.waiting = [];
  }
  async acquire() {
    if (this.free > 0) {
      --this.free;
      return;
    }
    await new Promise((resolve) => this.waiting.push(resolve));
  }
  release() {
    const next = this.waiting.shift();
    if (next) next();
    else ++this.free;
  }
}

async function main() {
  if (!url || !outDir) {
    console.error("sdk_key_backup.js: BULKD_EMULATOR_URL and BULKD_OUT_DIR must be set");
    process.exit(2);
  }
  fs.mkdirSync(outDir, { recursive: true, mode: 0o700 });
  const credential = new ClientSecretCredential(
    "00000000-0000-0000-0000-000000000000", "bulkd-dev", "bulkd-dev-secret",
    { authorityHost: url, disableInstanceDiscovery: true });
  const client = new KeyClient(url, credential, { disableChallengeResourceVerification: true });

  const started = process.hrtime.bigint();
  const names = [];
  for await (const p of client.listPropertiesOfKeys()) names.push(p.name);
  const listed = process.hrtime.bigint();

  const sem = new Semaphore(concurrency);
  let bytes = 0;
  const failures = [];
  const tasks = [];
  for (const name of names) {
    await sem.acquire();
    tasks.push(
      (async () => {
        try {
          const blob = await client.backupKey(name);
          await fs.promises.writeFile(path.join(outDir, `${name}.kvbackup`), blob, { mode: 0o600 });
          bytes += blob.length;
        } catch (e) {
          failures.push(`${name}: ${e.message}`);
        } finally {
          sem.release();
        }
      })()
    );
  }
  await Promise.all(tasks);
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  for (const f of failures.slice(0, 5)) console.error(`sdk_key_backup.js: ${f}`);
  const done = names.length - failures.length;
  console.log(
    `tool=sdk keys=${done} failed=${failures.length} bytes=${bytes} ` +
      `inner_seconds=${seconds.toFixed(2)} list_seconds=${(Number(listed - started) / 1e9).toFixed(2)} ` +
      `inner_keys_per_s=${Math.round(done / seconds)}`
  );
  process.exit(failures.length === 0 ? 0 : 1);
}

main().catch((err) => {
  console.error(`sdk_key_backup.js: ${err.stack || err}`);
  process.exit(1);
});
