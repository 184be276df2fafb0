// Drives `bulkd emulator`'s Key Vault keys API and identity endpoint with the official SDKs
// (@azure/identity, @azure/keyvault-keys; versions pinned in ../package-lock.json).
//
// Environment (set by ../run_keyvault.sh):
//   BULKD_EMULATOR_URL   https://127.0.0.1:PORT (the vault URL and the identity authority)
//   BULKD_KEY_COUNT      keys to create (default 60)
//   BULKD_CLIENTS_FILE   when set: sign in as the first client of this --clients file
//   BULKD_EXPECT_THROTTLED  "1" when the emulator runs with 429 faults (then some 429 must occur)
//   NODE_EXTRA_CA_CERTS  the emulator's self-signed certificate
// Exits 0 when every check passed, 1 with the failed check otherwise.
"use strict";

const assert = require("node:assert/strict");
const { ClientSecretCredential } = require("@azure/identity");
const { KeyClient } = require("@azure/keyvault-keys");

const url = process.env.BULKD_EMULATOR_URL;
const keyCount = Number(process.env.BULKD_KEY_COUNT || "60");
if (!url) {
  console.error("BULKD_EMULATOR_URL is not set (run this through run_keyvault.sh)");
  process.exit(2);
}

const tenant = "00000000-0000-0000-0000-000000000000";
// What @azure/identity needs for a non-Azure authority: the authority host is the emulator, and
// MSAL must not ask login.microsoftonline.com whether that authority is known.
const credentialOptions = { authorityHost: url, disableInstanceDiscovery: true };
// The vault's challenge names resource https://vault.azure.net, which does not match the
// emulator's host 127.0.0.1: the SDK's resource check has to be turned off.
const clientOptions = {
  disableChallengeResourceVerification: true,
  // 429s come with Retry-After; under --faults 429=0.3 four in a row (default maxRetries 3)
  // happen about once per 120 requests.
  retryOptions: { maxRetries: 10, retryDelayInMs: 50, maxRetryDelayInMs: 500 },
};
const pollOptions = { intervalInMs: 50 };

// Counts the 429s the SDK saw (and retried), to prove a --faults run really was throttled.
let throttled = 0;
clientOptions.additionalPolicies = [{
  position: "perRetry",
  policy: {
    name: "countThrottled",
    async sendRequest(request, next) {
      const response = await next(request);
      if (response.status === 429) {
        throttled++;
        assert.ok(response.headers.get("retry-after"), "a 429 without Retry-After");
      }
      return response;
    },
  },
}];

const run = Date.now().toString(36);
const types = [
  { label: "RSA-2048", create: (c, n) => c.createRsaKey(n, { keySize: 2048 }) },
  { label: "RSA-3072", create: (c, n) => c.createRsaKey(n, { keySize: 3072 }) },
  { label: "EC-P-256", create: (c, n) => c.createEcKey(n, { curve: "P-256" }) },
  { label: "EC-P-384", create: (c, n) => c.createEcKey(n, { curve: "P-384" }) },
  { label: "EC-P-521", create: (c, n) => c.createEcKey(n, { curve: "P-521" }) },
  { label: "oct-256", create: (c, n) => c.createOctKey(n, { keySize: 256 }) },
  { label: "oct-HSM-128", create: (c, n) => c.createOctKey(n, { keySize: 128, hsm: true }) },
];
const expectedKty = {
  "RSA-2048": "RSA", "RSA-3072": "RSA", "EC-P-256": "EC", "EC-P-384": "EC", "EC-P-521": "EC",
  "oct-256": "oct", "oct-HSM-128": "oct-HSM",
};

function publicPart(jwk) {
  // The comparable material: RSA n/e, EC crv/x/y; oct keys never leave the vault.
  const out = { kty: jwk.kty };
  for (const f of ["n", "e", "crv", "x", "y"])
    if (jwk[f]) out[f] = Buffer.from(jwk[f]).toString("base64");
  return out;
}

async function collectPages(iterable, maxPageSize) {
  const items = [];
  let pages = 0;
  for await (const page of iterable.byPage({ maxPageSize })) {
    pages++;
    items.push(...page);
  }
  return { items, pages };
}

async function expectError(promise, status, what) {
  try {
    await promise;
  } catch (e) {
    assert.equal(e.statusCode, status, `${what}: status ${e.statusCode} (${e.message})`);
    return e;
  }
  assert.fail(`${what}: expected an error with status ${status}, the call succeeded`);
}

const timings = {};
async function step(name, fn) {
  const t0 = Date.now();
  await fn();
  timings[name] = Date.now() - t0;
  console.log(`ok  ${name} (${timings[name]} ms)`);
}

async function main() {
  let [clientId, secret] = ["bulkd-dev", "bulkd-dev-secret"];
  if (process.env.BULKD_CLIENTS_FILE) {
    const first = JSON.parse(require("node:fs").readFileSync(process.env.BULKD_CLIENTS_FILE))
      .clients[0];
    assert.equal(first.tenant, tenant);
    [clientId, secret] = [first.client_id, first.client_secret];
  }
  console.log(`signing in as ${clientId}`);
  const credential = new ClientSecretCredential(tenant, clientId, secret, credentialOptions);
  const client = new KeyClient(url, credential, clientOptions);

  await step("identity: token for the vault scope; a wrong secret is refused", async () => {
    const token = await credential.getToken("https://vault.azure.net/.default");
    assert.ok(token && token.token.split(".").length === 3, "a JWT");
    assert.ok(token.expiresOnTimestamp > Date.now(), "expires in the future");
    const wrong = new ClientSecretCredential(tenant, clientId, "not-the-secret",
                                             credentialOptions);
    try {
      await wrong.getToken("https://vault.azure.net/.default");
      assert.fail("a wrong secret got a token");
    } catch (e) {
      // @azure/identity 4.14 wraps the AAD answer in an AuthenticationRequiredError.
      assert.match(e.name, /^Authentication(Required)?Error$/, e.name);
      assert.match(e.message, /AADSTS7000215/, e.message);
    }
  });

  // name -> { type, versions: [KeyVaultKey...] }
  const keys = new Map();
  await step(`create ${keyCount} keys of ${types.length} types with 1-3 versions`, async () => {
    for (let i = 0; i < keyCount; i++) {
      const type = types[i % types.length];
      const name = `conf-${run}-${i}-${type.label}`;
      const versions = [];
      for (let v = 0; v < 1 + (i % 3); v++) {
        const key = await type.create(client, name);
        assert.equal(key.name, name);
        assert.equal(key.keyType, expectedKty[type.label], `${name}: kty`);
        assert.ok(key.id.startsWith(`${url}/keys/${name}/`), `${name}: kid ${key.id}`);
        assert.equal(key.properties.enabled, true);
        versions.push(key);
      }
      keys.set(name, { type, versions });
    }
  });

  await step("listPropertiesOfKeys sees every key across pages", async () => {
    const { items, pages } = await collectPages(client.listPropertiesOfKeys(), 7);
    const mine = items.filter((p) => p.name.startsWith(`conf-${run}-`)).map((p) => p.name);
    assert.deepEqual(mine.sort(), [...keys.keys()].sort());
    assert.ok(pages >= Math.ceil(keyCount / 7), `${pages} pages for ${items.length} keys`);
  });

  await step("listPropertiesOfKeyVersions sees every version across pages", async () => {
    for (const [name, { versions }] of keys) {
      const { items, pages } = await collectPages(client.listPropertiesOfKeyVersions(name), 1);
      assert.deepEqual(items.map((p) => p.version).sort(),
                       versions.map((k) => k.properties.version).sort(), name);
      assert.equal(pages, versions.length, `${name}: one version per page`);
    }
  });

  await step("get (latest and by version), update tags, disable", async () => {
    for (const [name, { versions }] of keys) {
      const latest = versions[versions.length - 1];
      const got = await client.getKey(name);
      assert.equal(got.properties.version, latest.properties.version, `${name}: latest`);
      assert.deepEqual(publicPart(got.key), publicPart(latest.key), `${name}: material`);
      const first = await client.getKey(name, { version: versions[0].properties.version });
      assert.deepEqual(publicPart(first.key), publicPart(versions[0].key), `${name}: first`);
    }
    const [name, { versions }] = keys.entries().next().value;
    const version = versions[0].properties.version;
    const updated = await client.updateKeyProperties(name, version,
                                                     { tags: { purpose: "conformance" } });
    assert.deepEqual(updated.properties.tags, { purpose: "conformance" });
    const disabled = await client.updateKeyProperties(name, version, { enabled: false });
    assert.equal(disabled.properties.enabled, false);
    const again = await client.getKey(name, { version });
    assert.equal(again.properties.enabled, false);
    assert.deepEqual(again.properties.tags, { purpose: "conformance" });
  });

  const names = [...keys.keys()];
  await step("delete, getDeletedKey, recover, delete, purge", async () => {
    for (const name of names.slice(0, Math.min(names.length, types.length))) {
      const deleting = await client.beginDeleteKey(name, pollOptions);
      const deleted = await deleting.pollUntilDone();
      assert.equal(deleted.name, name);
      assert.ok(deleted.properties.recoveryId, `${name}: recoveryId`);
      assert.ok(deleted.properties.deletedOn instanceof Date, `${name}: deletedOn`);
      const seen = await client.getDeletedKey(name);
      assert.equal(seen.properties.version, deleted.properties.version);
      await expectError(client.getKey(name), 404, `${name}: get after delete`);
      const recovering = await client.beginRecoverDeletedKey(name, pollOptions);
      const recovered = await recovering.pollUntilDone();
      assert.equal(recovered.name, name);
      const back = await client.getKey(name);
      assert.equal(back.properties.version, keys.get(name).versions.at(-1).properties.version);
      await (await client.beginDeleteKey(name, pollOptions)).pollUntilDone();
      await client.purgeDeletedKey(name);
      await expectError(client.getDeletedKey(name), 404, `${name}: deleted key after purge`);
      keys.delete(name);
    }
  });

  await step("backup, purge, restore gives the same material and versions", async () => {
    const sample = [...keys.keys()].slice(0, types.length);
    for (const name of sample) {
      const { versions } = keys.get(name);
      const backup = await client.backupKey(name);
      assert.ok(backup && backup.length > 0, `${name}: backup blob`);
      await (await client.beginDeleteKey(name, pollOptions)).pollUntilDone();
      await client.purgeDeletedKey(name);
      await expectError(client.getKey(name), 404, `${name}: get after purge`);
      const restored = await client.restoreKeyBackup(backup);
      assert.equal(restored.name, name);
      assert.equal(restored.properties.version, versions.at(-1).properties.version);
      assert.deepEqual(publicPart(restored.key), publicPart(versions.at(-1).key), `${name}`);
      const { items } = await collectPages(client.listPropertiesOfKeyVersions(name), 25);
      assert.deepEqual(items.map((p) => p.version).sort(),
                       versions.map((k) => k.properties.version).sort(), `${name}: versions`);
      for (const v of versions) {
        const got = await client.getKey(name, { version: v.properties.version });
        assert.deepEqual(publicPart(got.key), publicPart(v.key), `${name}/${v.properties.version}`);
      }
      // Onto an existing name: Conflict.
      const conflict = await expectError(client.restoreKeyBackup(backup), 409,
                                         `${name}: restore onto an existing key`);
      assert.equal(conflict.code, "Conflict", conflict.message);
      // A tampered blob: one byte flipped in the middle.
      const tampered = Uint8Array.from(backup);
      tampered[Math.floor(tampered.length / 2)] ^= 0x5a;
      const bad = await expectError(client.restoreKeyBackup(tampered), 400,
                                    `${name}: tampered backup`);
      // Key Vault's code for this case (it is not BadParameter).
      assert.equal(bad.code, "Malformed backup blob", bad.message);
    }
  });

  if (process.env.BULKD_EXPECT_THROTTLED === "1")
    assert.ok(throttled > 0, "the emulator ran with 429 faults, but no request was throttled");
  else
    assert.equal(throttled, 0, "throttled without --faults");
  console.log(JSON.stringify({ result: "passed", keys: keyCount, throttled, timings_ms: timings }));
}

main().catch((e) => {
  console.error(`FAILED: ${e && e.stack ? e.stack : e}`);
  process.exit(1);
});
