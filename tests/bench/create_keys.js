// Set-up for `scripts/bench keys`: creates keys BULKD_FROM .. BULKD_TO-1 named
// bench-key-<i> with the official SDK, BULKD_CREATE_CONCURRENCY (default 32) at a time, in a mix
// of types: RSA-2048, EC P-256, EC P-384, oct-HSM 256 (i % 4), every 10th with a second version.
//
//   node create_keys.js   (environment: BULKD_EMULATOR_URL, BULKD_FROM, BULKD_TO,
//                          NODE_EXTRA_CA_CERTS, NODE_PATH=tests/conformance/node_modules)
//
// Prints one line of key=value pairs: created, versions, seconds.
"use strict";

const { ClientSecretCredential } = require("@azure/identity");
const { KeyClient } = require("@azure/keyvault-keys");

const url = process.env.BULKD_EMULATOR_URL;
const from = Number(process.env.BULKD_FROM || "0");
const to = Number(process.env.BULKD_TO || "1000");
const concurrency = Number(process.env.BULKD_CREATE_CONCURRENCY || "32");

const creators = [
  (c, n) => c.createRsaKey(n, { keySize: 2048 }),
  (c, n) => c.createEcKey(n, { curve: "P-256" }),
  (c, n) => c.createEcKey(n, { curve: "P-384" }),
  (c, n) => c.createOctKey(n, { keySize: 256, hsm: true }),
];

async function main() {
  if (!url) {
    console.error("create_keys.js: BULKD_EMULATOR_URL must be set");
    process.exit(2);
  }
  const credential = new ClientSecretCredential(
    "00000000-0000-0000-0000-000000000000", "bulkd-dev", "bulkd-dev-secret",
    { authorityHost: url, disableInstanceDiscovery: true });
  const client = new KeyClient(url, credential, { disableChallengeResourceVerification: true });
  const started = process.hrtime.bigint();
  let next = from;
  let versions = 0;
  const worker = async () => {
    while (next < to) {
      const i = next++;
      const name = `bench-key-${i}`;
      const create = creators[i % creators.length];
      for (let v = 0; v < (i % 10 === 0 ? 2 : 1); v++) {
        await create(client, name);
        ++versions;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(`created=${to - from} versions=${versions} seconds=${seconds.toFixed(2)}`);
}

main().catch((err) => {
  console.error(`create_keys.js: ${err.stack || err}`);
  process.exit(1);
});
