// Cross-checks bulkd's key backup sets against the official Key Vault SDK, both ways:
//
//   A. keys made with @azure/keyvault-keys -> `bulkd run` of a key-backup job (a plain set and an
//      encrypted one) -> this script checks the set as DESIGN.md and jobs/key_backup/*.hpp
//      document it (layout, modes, manifest.json, sizes and SHA-256, the manifest mac, the
//      BKDKEY1 envelope, decrypted here with node's crypto) -> the keys are purged ->
//      the SDK's restoreKeyBackup takes every blob bulkd wrote -> same versions, same material.
//   B. the SDK's backupKey -> this script assembles a set in bulkd's documented layout (plain, and
//      encrypted with BKDKEY1 and a manifest mac) -> `bulkd keys verify` passes it and catches a
//      changed byte -> the keys are purged -> `bulkd keys restore` brings them back identical.
//
// Environment (set by ../run_keyvault.sh): BULKD_EMULATOR_URL, BULKD_BINARY (the bulkd to run),
// NODE_EXTRA_CA_CERTS (the emulator's certificate; bulkd gets it as the vault's tls.ca_file).
// Exits 0 when every check passed, 1 with what differed otherwise.
"use strict";

const assert = require("node:assert/strict");
const crypto = require("node:crypto");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { spawnSync } = require("node:child_process");
const { ClientSecretCredential } = require("@azure/identity");
const { KeyClient } = require("@azure/keyvault-keys");

const url = process.env.BULKD_EMULATOR_URL;
const bulkdBin = process.env.BULKD_BINARY;
const caFile = process.env.NODE_EXTRA_CA_CERTS;
if (!url || !bulkdBin || !caFile) {
  console.error("BULKD_EMULATOR_URL, BULKD_BINARY and NODE_EXTRA_CA_CERTS must be set " +
                "(run this through run_keyvault.sh)");
  process.exit(2);
}

const tenant = "00000000-0000-0000-0000-000000000000";
const credential = new ClientSecretCredential(tenant, "bulkd-dev", "bulkd-dev-secret",
                                              { authorityHost: url, disableInstanceDiscovery: true });
const client = new KeyClient(url, credential, {
  disableChallengeResourceVerification: true,
  retryOptions: { maxRetries: 10, retryDelayInMs: 50, maxRetryDelayInMs: 500 },
});
const pollOptions = { intervalInMs: 50 };

const run = Date.now().toString(36);
const work = fs.mkdtempSync(path.join(os.tmpdir(), "bulkd-backup-cross-"));

// Every key type the emulator makes, one with three versions, one with tags.
const plan = [
  { label: "rsa", versions: 1, tags: { team: "a", env: "prod" },
    create: (n, tags) => client.createRsaKey(n, { keySize: 2048, tags }) },
  { label: "ec", versions: 1, create: (n) => client.createEcKey(n, { curve: "P-256" }) },
  { label: "ec384", versions: 1, create: (n) => client.createEcKey(n, { curve: "P-384" }) },
  { label: "octhsm", versions: 1,
    create: (n) => client.createOctKey(n, { keySize: 256, hsm: true }) },
  { label: "rsa3v", versions: 3, create: (n) => client.createRsaKey(n, { keySize: 2048 }) },
];
const expectedKty = { rsa: "RSA", ec: "EC", ec384: "EC", octhsm: "oct-HSM", rsa3v: "RSA" };

// -- helpers ---------------------------------------------------------------------------------------

const timings = {};
async function step(name, fn) {
  const t0 = Date.now();
  await fn();
  timings[name] = Date.now() - t0;
  console.log(`ok  ${name} (${timings[name]} ms)`);
}

function publicPart(jwk) {
  // RSA n/e, EC crv/x/y; oct keys have no public part (kty and the version id still compare).
  const out = { kty: jwk.kty };
  for (const f of ["n", "e", "crv", "x", "y"])
    if (jwk[f]) out[f] = Buffer.from(jwk[f]).toString("base64");
  return out;
}

const sha256 = (data) => crypto.createHash("sha256").update(data).digest("hex");

async function expectStatus(promise, status, what) {
  try {
    await promise;
  } catch (e) {
    assert.equal(e.statusCode, status, `${what}: status ${e.statusCode} (${e.message})`);
    return;
  }
  assert.fail(`${what}: expected status ${status}, the call succeeded`);
}

function bulkd(args, what) {
  const r = spawnSync(bulkdBin, args, { encoding: "utf8", timeout: 60000 });
  const out = `${r.stdout || ""}${r.stderr || ""}`;
  if (r.error) assert.fail(`${what}: could not run bulkd: ${r.error.message}`);
  return { status: r.status, out };
}

function expectBulkd(args, what, okLine) {
  const r = bulkd(args, what);
  assert.equal(r.status, 0, `${what}: bulkd ${args.join(" ")} exited ${r.status}:\n${r.out}`);
  if (okLine) assert.ok(r.out.includes(okLine), `${what}: no "${okLine}" in:\n${r.out}`);
  return r.out;
}

// name -> { label, versions: [KeyVaultKey, oldest first] }
async function createKeys(group) {
  const keys = new Map();
  for (const p of plan) {
    const name = `bx-${run}-${group}-${p.label}`;
    const versions = [];
    for (let v = 0; v < p.versions; v++) {
      const key = await p.create(name, p.tags);
      assert.equal(key.keyType, expectedKty[p.label], `${name}: kty`);
      versions.push(key);
    }
    keys.set(name, { label: p.label, tags: p.tags || {}, versions });
  }
  return keys;
}

async function purge(keys) {
  for (const name of keys.keys()) {
    await (await client.beginDeleteKey(name, pollOptions)).pollUntilDone();
    await client.purgeDeletedKey(name);
    await expectStatus(client.getKey(name), 404, `${name}: get after purge`);
    await expectStatus(client.getDeletedKey(name), 404, `${name}: deleted key after purge`);
  }
}

// The key as the vault has it now equals the key as it was created: every version id, the
// latest version, each version's public material, and the tags.
async function expectSameKey(name, { versions, tags }, what) {
  const listed = [];
  for await (const p of client.listPropertiesOfKeyVersions(name)) listed.push(p.version);
  assert.deepEqual(listed.sort(), versions.map((k) => k.properties.version).sort(),
                   `${what}: ${name}: version ids after restore`);
  const latest = await client.getKey(name);
  assert.equal(latest.properties.version, versions.at(-1).properties.version,
               `${what}: ${name}: latest version after restore`);
  assert.deepEqual(latest.properties.tags || {}, tags, `${what}: ${name}: tags after restore`);
  for (const v of versions) {
    const got = await client.getKey(name, { version: v.properties.version });
    assert.deepEqual(publicPart(got.key), publicPart(v.key),
                     `${what}: ${name}/${v.properties.version}: key material after restore`);
  }
}

// -- the documented set format -------------------------------------------------------------------

const vaultDir = (() => {
  const u = new URL(url);
  const port = u.port || (u.protocol === "https:" ? "443" : "80");
  const dflt = (u.protocol === "https:" && port === "443") || (u.protocol === "http:" && port === "80");
  return (u.hostname + (dflt ? "" : `_${port}`)).replace(/[^A-Za-z0-9.-]/g, "_");
})();
const setNamePattern = /^\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ(-[1-9]\d*)?$/;

const MAGIC = Buffer.from("BKDKEY1\0", "binary");
const ENVELOPE = 8 + 1 + 12 + 16;

function keyId(rawKey) {
  return sha256(rawKey).slice(0, 16);
}

// manifest_mac.hpp: HMAC-SHA256(HMAC-SHA256(key, label), manifest without "mac" as
// json.dumps(indent=2, sort_keys=True, ensure_ascii=False) + "\n").
function canonical(v) {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === "object")
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical(v[k])]));
  return v;
}
function manifestMac(rawKey, manifest) {
  const { mac, ...rest } = manifest;
  const macKey = crypto.createHmac("sha256", rawKey).update("bulkd key-backup manifest mac v1")
    .digest();
  return crypto.createHmac("sha256", macKey)
    .update(JSON.stringify(canonical(rest), null, 2) + "\n", "utf8").digest("hex");
}

function seal(rawKey, name, blob) {
  const header = Buffer.concat([MAGIC, Buffer.from([1])]);
  const nonce = crypto.randomBytes(12);
  const c = crypto.createCipheriv("aes-256-gcm", rawKey, nonce);
  c.setAAD(Buffer.concat([header, Buffer.from(name, "ascii")]));
  const ct = Buffer.concat([c.update(blob), c.final()]);
  return Buffer.concat([header, nonce, ct, c.getAuthTag()]);
}

function open(rawKey, name, file, what) {
  assert.ok(file.length >= ENVELOPE, `${what}: ${file.length} bytes, shorter than the envelope`);
  assert.deepEqual(file.subarray(0, 8), MAGIC, `${what}: magic`);
  assert.equal(file[8], 1, `${what}: format version`);
  const d = crypto.createDecipheriv("aes-256-gcm", rawKey, file.subarray(9, 21));
  d.setAAD(Buffer.concat([file.subarray(0, 9), Buffer.from(name, "ascii")]));
  d.setAuthTag(file.subarray(file.length - 16));
  try {
    return Buffer.concat([d.update(file.subarray(21, file.length - 16)), d.final()]);
  } catch (e) {
    assert.fail(`${what}: AES-256-GCM authentication failed (${e.message})`);
  }
}

// RFC 3339 the way bulkd writes it (format_rfc3339: milliseconds only when not zero).
function rfc3339(date) {
  return date.toISOString().replace(".000Z", "Z");
}

function mode(p) {
  return (fs.statSync(p).mode & 0o777).toString(8);
}

// Checks a set bulkd wrote against the documentation and the keys the SDK made; returns
// name -> the service's backup blob (decrypted when the set is encrypted).
function checkBulkdSet(setDir, keys, rawKey) {
  const what = `set ${setDir}`;
  assert.equal(path.basename(path.dirname(setDir)), vaultDir, `${what}: vault directory name`);
  assert.match(path.basename(setDir), setNamePattern, `${what}: set directory name`);
  assert.equal(mode(setDir), "700", `${what}: directory mode`);
  assert.equal(mode(path.dirname(setDir)), "700", `${what}: vault directory mode`);
  const m = JSON.parse(fs.readFileSync(path.join(setDir, "manifest.json"), "utf8"));
  assert.equal(mode(path.join(setDir, "manifest.json")), "600", `${what}: manifest.json mode`);
  assert.equal(m.format, "bulkd-key-backup-set", `${what}: format`);
  assert.equal(m.format_version, 1, `${what}: format_version`);
  assert.equal(m.vault_url.replace(/\/$/, ""), url, `${what}: vault_url`);
  for (const t of ["started", "finished"])
    assert.match(m[t], /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z$/, `${what}: ${t}`);
  assert.ok(m.started <= m.finished, `${what}: started ${m.started} after finished ${m.finished}`);
  assert.equal(m.key_count, keys.size, `${what}: key_count`);
  assert.deepEqual(m.skipped, [], `${what}: skipped`);
  assert.deepEqual(m.failed, [], `${what}: failed`);
  if (rawKey) {
    assert.deepEqual(m.encryption, { algorithm: "AES-256-GCM", key_id: keyId(rawKey),
                                     format: "BKDKEY1" }, `${what}: encryption`);
    assert.equal(m.mac, manifestMac(rawKey, m), `${what}: manifest mac (manifest_mac.hpp)`);
  } else {
    assert.deepEqual(m.encryption, { algorithm: "none" }, `${what}: encryption`);
    assert.equal(m.mac, undefined, `${what}: an unencrypted set has no mac`);
  }
  const files = fs.readdirSync(setDir).sort();
  const expectedFiles = [...keys.keys()].map((n) => `${n}.kvbackup${rawKey ? ".enc" : ""}`);
  assert.deepEqual(files, ["manifest.json", ...expectedFiles].sort(), `${what}: files`);
  const blobs = new Map();
  assert.deepEqual(m.keys.map((k) => k.name).sort(), [...keys.keys()].sort(), `${what}: keys`);
  for (const entry of m.keys) {
    const { versions, tags } = keys.get(entry.name);
    const w = `${what}: ${entry.name}`;
    assert.equal(entry.file, `${entry.name}.kvbackup${rawKey ? ".enc" : ""}`, `${w}: file`);
    // Sorted: Key Vault's created times are whole seconds, so versions made within one second
    // have no order the service could tell.
    assert.deepEqual([...entry.versions].sort(), versions.map((k) => k.properties.version).sort(),
                     `${w}: versions`);
    assert.equal(entry.kid, versions.at(-1).id, `${w}: kid of the current version`);
    assert.equal(entry.key_type, versions.at(-1).keyType, `${w}: key_type`);
    assert.deepEqual(entry.tags, tags, `${w}: tags`);
    const file = path.join(setDir, entry.file);
    const data = fs.readFileSync(file);
    assert.equal(mode(file), "600", `${w}: file mode`);
    assert.equal(entry.size, data.length, `${w}: size`);
    assert.equal(entry.sha256, sha256(data), `${w}: sha256`);
    let blob = data;
    if (rawKey) {
      blob = open(rawKey, entry.name, data, `${w} (BKDKEY1)`);
      assert.equal(data.length, blob.length + ENVELOPE, `${w}: envelope overhead`);
      // The key name is authenticated: the same file read as another key's fails.
      const other = [...keys.keys()].find((n) => n !== entry.name);
      assert.throws(() => open(rawKey, other, data, "renamed"), /authentication failed/,
                    `${w}: decrypts under another key's name`);
    }
    assert.ok(blob.length > 0, `${w}: empty blob`);
    blobs.set(entry.name, blob);
  }
  return blobs;
}

// Writes a set as a third party would, from the SDK's backupKey blobs: files, then manifest.json.
function writeSdkSet(dest, keys, blobs, rawKey, started) {
  const setDir = path.join(dest, vaultDir, started.toISOString().slice(0, 19).replace(/:/g, "-") +
                           "Z");
  fs.mkdirSync(setDir, { recursive: true, mode: 0o700 });
  const entries = [];
  for (const [name, { versions, tags }] of keys) {
    const file = `${name}.kvbackup${rawKey ? ".enc" : ""}`;
    const data = rawKey ? seal(rawKey, name, blobs.get(name)) : Buffer.from(blobs.get(name));
    fs.writeFileSync(path.join(setDir, file), data, { mode: 0o600 });
    entries.push({ name, file, kid: versions.at(-1).id, key_type: versions.at(-1).keyType,
                   versions: versions.map((k) => k.properties.version), size: data.length,
                   sha256: sha256(data), tags });
  }
  const manifest = {
    format: "bulkd-key-backup-set", format_version: 1, vault_url: url,
    started: rfc3339(started), finished: rfc3339(new Date()), key_count: entries.length,
    encryption: rawKey ? { algorithm: "AES-256-GCM", key_id: keyId(rawKey), format: "BKDKEY1" }
                       : { algorithm: "none" },
    keys: entries, skipped: [], failed: [],
  };
  if (rawKey) manifest.mac = manifestMac(rawKey, manifest);
  fs.writeFileSync(path.join(setDir, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n",
                   { mode: 0o600 });
  return setDir;
}

// -- the runs --------------------------------------------------------------------------------------

const configFile = path.join(work, "bulkd.yaml");
fs.writeFileSync(configFile, `state_dir: ${work}/state
log: { level: warn }
vaults:
  emu:
    url: "${url}"
    credential: { type: client-secret, tenant_id: "${tenant}", client_id: bulkd-dev,
                  client_secret: bulkd-dev-secret, authority_host: "${url}" }
    tls: { ca_file: "${caFile}" }
`);

function writeKeyFile(rawKey, name) {
  const file = path.join(work, name);
  fs.writeFileSync(file, rawKey.toString("hex") + "\n", { mode: 0o600 });
  return file;
}

// A: bulkd backs up, the SDK restores.
async function bulkdToSdk(group, encrypted) {
  const rawKey = encrypted ? crypto.randomBytes(32) : null;
  const label = `A ${encrypted ? "encrypted" : "plain"}`;
  let keys, setDir, blobs;
  await step(`${label}: create ${plan.length} keys with the SDK`, async () => {
    keys = await createKeys(group);
  });
  await step(`${label}: bulkd run of a key-backup job`, async () => {
    const job = path.join(work, `job-${group}.yaml`);
    const dest = path.join(work, `backups-${group}`);
    fs.writeFileSync(job, `name: cross-${group}
kind: key-backup
vault: emu
keys: { include: ["bx-${run}-${group}-*"] }
destination: { path: "${dest}"${encrypted ? `, encryption_key: "${rawKey.toString("base64")}"` : ""} }
concurrency: { workers: 4 }
retry: { max_attempts: 8, initial_backoff: 50ms, max_backoff: 1s }
`);
    const report = path.join(work, `report-${group}.json`);
    const out = expectBulkd(["run", job, "--config", configFile, "--report", report],
                            label, `key-backup cross-${group}: ok`);
    const r = JSON.parse(fs.readFileSync(report, "utf8"));
    assert.equal(r.backed_up, plan.length, `${label}: backed_up in the report:\n${out}`);
    assert.equal(r.failed, 0, `${label}: failed in the report:\n${out}`);
    setDir = r.set_dir;
    assert.equal(path.dirname(path.dirname(setDir)), dest, `${label}: set_dir ${setDir}`);
  });
  await step(`${label}: the set matches the documented format and the SDK's keys`, async () => {
    blobs = checkBulkdSet(setDir, keys, rawKey);
    if (encrypted) {
      const keyFile = writeKeyFile(rawKey, `key-${group}`);
      expectBulkd(["keys", "verify", setDir, "--encryption-key-file", keyFile], label,
                  `verify: ok, ${plan.length} key(s) checked`);
    } else {
      expectBulkd(["keys", "verify", setDir], label, `verify: ok, ${plan.length} key(s) checked`);
    }
  });
  await step(`${label}: purge, the SDK's restoreKeyBackup takes bulkd's blobs`, async () => {
    await purge(keys);
    for (const [name, k] of keys) {
      const restored = await client.restoreKeyBackup(new Uint8Array(blobs.get(name)));
      assert.equal(restored.name, name, `${label}: restored name`);
      await expectSameKey(name, k, label);
    }
  });
}

// B: the SDK backs up, bulkd verifies and restores.
async function sdkToBulkd(group, encrypted) {
  const rawKey = encrypted ? crypto.randomBytes(32) : null;
  const label = `B ${encrypted ? "encrypted" : "plain"}`;
  const keyArgs = encrypted ? ["--encryption-key-file", writeKeyFile(rawKey, `key-${group}`)] : [];
  let keys, setDir;
  await step(`${label}: create ${plan.length} keys, backupKey each, assemble a set`, async () => {
    keys = await createKeys(group);
    const started = new Date();
    const blobs = new Map();
    for (const name of keys.keys()) {
      const blob = await client.backupKey(name);
      assert.ok(blob && blob.length > 0, `${label}: ${name}: backupKey gave no blob`);
      blobs.set(name, blob);
    }
    setDir = writeSdkSet(path.join(work, `sdk-sets-${group}`), keys, blobs, rawKey, started);
  });
  await step(`${label}: bulkd keys verify passes the set and catches a changed byte`, async () => {
    const out = expectBulkd(["keys", "verify", setDir, ...keyArgs], label,
                            `verify: ok, ${plan.length} key(s) checked`);
    for (const [name, { versions }] of keys)
      assert.match(out, new RegExp(`^${name} +${versions.length} +\\d+ +ok$`, "m"),
                   `${label}: no ok row for ${name} in:\n${out}`);
    const copy = `${setDir}-tampered`;
    fs.cpSync(setDir, copy, { recursive: true });
    const victim = [...keys.keys()][0];
    const file = path.join(copy, `${victim}.kvbackup${encrypted ? ".enc" : ""}`);
    const data = fs.readFileSync(file);
    data[data.length >> 1] ^= 0x01;
    fs.writeFileSync(file, data);
    const bad = bulkd(["keys", "verify", copy, ...keyArgs], label);
    assert.equal(bad.status, 1, `${label}: verify of a changed file exited ${bad.status}:\n${bad.out}`);
    assert.ok(bad.out.includes(`key ${victim}: ${path.basename(file)}: SHA-256 does not match the manifest`),
              `${label}: verify of a changed file:\n${bad.out}`);
    fs.rmSync(copy, { recursive: true });
  });
  await step(`${label}: purge, bulkd keys restore brings the keys back identical`, async () => {
    await purge(keys);
    const out = expectBulkd(["keys", "restore", setDir, "--vault", "emu", "--config", configFile,
                             ...keyArgs], label,
                            `restore: ${plan.length} restored, 0 skipped, 0 failed`);
    for (const name of keys.keys())
      assert.match(out, new RegExp(`^${name} +restored`, "m"), `${label}: ${name} in:\n${out}`);
    for (const [name, k] of keys) await expectSameKey(name, k, label);
  });
}

async function main() {
  console.log(`bulkd ${bulkdBin}, vault ${url}, work ${work}`);
  await bulkdToSdk("aplain", false);
  await bulkdToSdk("aenc", true);
  await sdkToBulkd("bplain", false);
  await sdkToBulkd("benc", true);
  console.log(JSON.stringify({ result: "passed", keys_per_run: plan.length, timings_ms: timings }));
}

main()
  .then(() => fs.rmSync(work, { recursive: true, force: true }))
  .catch((e) => {
    console.error(`FAILED: ${e && e.stack ? e.stack : e}`);
    console.error(`(files kept in ${work})`);
    process.exit(1);
  });
