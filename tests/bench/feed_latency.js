// End-to-end latency of a running change-feed job (`scripts/bench feed`, part 2): write time to
// the moment the change is a line of bulkd's jsonl sink.
//
// 1. Creates the (empty) container BULKD_DATABASE/BULKD_CONTAINER (partitioned by /pk).
// 2. Starts `BULKD_BIN run BULKD_JOB --config BULKD_CONFIG` (no --until-caught-up) as a child.
// 3. A tail in a worker thread reads BULKD_SINK from offset 0 every BULKD_TAIL_MS (default 2) ms,
//    cutting complete lines and noting, per id, the monotonic time its first line was seen.
// 4. Warm-up: 40 documents over 40 partition keys (so every range has had a change); the run
//    starts when all of them were seen (the readers are polling), not counted.
// 5. The writer creates BULKD_RATE documents per second (default 200) for BULKD_SECONDS (20),
//    each sent at its scheduled time (start + i / rate, absolute, so a slow write does not delay
//    the next), with point creates that may overlap. Each document carries sent_ms (wall clock
//    taken just before the request is sent); the script notes the monotonic send and ack times.
// 6. Waits until every id was seen (at most BULKD_DRAIN_S, default 10 s), then SIGTERMs bulkd and
//    waits for it to exit.
//
// Latency (the figure compared with the goal) = seen - ack: from the moment the write was
// acknowledged to the client (the change is committed and in the feed) to the moment its line is
// in the sink file. The change cannot be in the feed before the ack, so this is the delay the job
// adds; poll_interval bounds the polling share of it. seen - sent (the ack's round trip
// included) is printed too. A negative seen - ack (min_ms) means the ack reached this process
// after the line was in the sink: the writer's event loop or the machine was slow to deliver it.
// Times are process.hrtime (CLOCK_MONOTONIC, shared by both threads); the tail's own granularity
// adds up to BULKD_TAIL_MS.
//
//   node feed_latency.js   (environment: BULKD_EMULATOR_URL, BULKD_BIN, BULKD_JOB, BULKD_CONFIG,
//                           BULKD_SINK, BULKD_DATABASE, BULKD_CONTAINER, BULKD_RATE, BULKD_SECONDS,
//                           NODE_PATH=tests/conformance/node_modules)
//
// A write that fails (no ack) is left out of the figures and counted as write_errors.
//
// Prints one line of key=value pairs: docs, write_errors, seen, missing, duplicates, rate, p50_ms,
// p90_ms, p99_ms, max_ms, min_ms (seen - ack), sent_p50_ms, sent_p99_ms, sent_max_ms (seen - sent),
// ack_p99_ms (the write's round trip), bulkd_exit (its exit status after SIGTERM), stop_ms (SIGTERM
// to exit).
// Exits 1 when an id is missing or bulkd did not exit 0.
"use strict";

const fs = require("node:fs");
const { spawn } = require("node:child_process");
const { Worker, isMainThread, parentPort, workerData } = require("node:worker_threads");

const now = () => process.hrtime.bigint();
const ms = (ns) => Number(ns) / 1e6;

// --- the tail (worker thread) ---------------------------------------------------------------
function tail({ path, everyMs, shared }) {
  const stop = new Int32Array(shared);
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  let fd = -1;
  let offset = 0;
  let partial = "";
  const buf = Buffer.alloc(1 << 20);
  const seen = [];
  let lines = 0;
  for (;;) {
    if (fd < 0) {
      try {
        fd = fs.openSync(path, "r");
      } catch {
        fd = -1;
      }
    }
    let got = 0;
    if (fd >= 0) {
      for (;;) {
        const n = fs.readSync(fd, buf, 0, buf.length, offset);
        if (n <= 0) break;
        const t = now();
        offset += n;
        got += n;
        const text = partial + buf.toString("utf8", 0, n);
        const lastNl = text.lastIndexOf("\n");
        if (lastNl < 0) {
          partial = text;
          continue;
        }
        partial = text.slice(lastNl + 1);
        for (const line of text.slice(0, lastNl).split("\n")) {
          if (!line) continue;
          ++lines;
          // ids are written by this script: "lat-<n>" or "warm-<n>", no escapes.
          const m = /"id":"([^"]*)"/.exec(line);
          if (m) seen.push([m[1], t]);
        }
      }
    }
    if (seen.length) {
      parentPort.postMessage({ seen: seen.splice(0), lines });
    }
    if (Atomics.load(stop, 0) === 1 && got === 0) break;
    Atomics.wait(sleeper, 0, 0, everyMs);
  }
  parentPort.postMessage({ done: true, lines });
}

if (!isMainThread) {
  tail(workerData);
  return;
}

// --- the writer and the report (main thread) --------------------------------------------------
const { CosmosClient } = require("@azure/cosmos");

const env = process.env;
const url = env.BULKD_EMULATOR_URL;
const databaseId = env.BULKD_DATABASE || "bench";
const containerId = env.BULKD_CONTAINER || "latency";
const rate = Number(env.BULKD_RATE || "200");
const seconds = Number(env.BULKD_SECONDS || "20");
const drainSeconds = Number(env.BULKD_DRAIN_S || "10");
const tailMs = Number(env.BULKD_TAIL_MS || "2");
const key =
  env.BULKD_COSMOS_KEY ||
  "C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==";

const sleep = (msec) => new Promise((r) => setTimeout(r, Math.max(0, msec)));

function percentile(sorted, p) {
  if (!sorted.length) return NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

async function main() {
  const required = ["BULKD_EMULATOR_URL", "BULKD_BIN", "BULKD_JOB", "BULKD_CONFIG", "BULKD_SINK"];
  for (const name of required) {
    if (!env[name]) {
      console.error(`feed_latency.js: ${name} must be set`);
      process.exit(2);
    }
  }
  const client = new CosmosClient({
    endpoint: url,
    key,
    connectionPolicy: { enableEndpointDiscovery: false },
  });
  const { database } = await client.databases.createIfNotExists({ id: databaseId });
  const { container } = await database.containers.createIfNotExists({
    id: containerId,
    partitionKey: { paths: ["/pk"] },
  });

  const firstSeen = new Map(); // id -> hrtime of its first line
  let duplicates = 0;
  let waiters = [];
  const shared = new SharedArrayBuffer(4);
  const worker = new Worker(__filename, {
    workerData: { path: env.BULKD_SINK, everyMs: tailMs, shared },
  });
  let tailDone;
  const tailFinished = new Promise((r) => (tailDone = r));
  worker.on("message", (msg) => {
    if (msg.done) return tailDone(msg.lines);
    for (const [id, t] of msg.seen) {
      if (firstSeen.has(id)) ++duplicates;
      else firstSeen.set(id, t);
    }
    waiters = waiters.filter((w) => !w());
  });
  worker.on("error", (e) => {
    console.error(`feed_latency.js: tail: ${e.stack || e}`);
    process.exit(1);
  });
  // until(pred, timeoutMs): resolves true once pred() holds (checked on every tail message).
  const until = (pred, timeoutMs) =>
    new Promise((resolve) => {
      if (pred()) return resolve(true);
      const timer = setTimeout(() => {
        waiters = waiters.filter((w) => w !== check);
        resolve(false);
      }, timeoutMs);
      const check = () => {
        if (!pred()) return false;
        clearTimeout(timer);
        resolve(true);
        return true;
      };
      waiters.push(check);
    });

  const bulkd = spawn(env.BULKD_BIN, ["run", env.BULKD_JOB, "--config", env.BULKD_CONFIG], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  // On any way out (an error included) bulkd must not outlive this script: the caller removes
  // its state directory next.
  process.on("exit", () => {
    if (bulkd.exitCode === null && bulkd.signalCode === null) bulkd.kill("SIGKILL");
  });
  let bulkdOut = "";
  bulkd.stdout.on("data", (d) => (bulkdOut += d));
  bulkd.stderr.on("data", (d) => (bulkdOut += d));
  let exitInfo = null;
  const exited = new Promise((r) =>
    bulkd.on("exit", (code, signal) => {
      exitInfo = { code, signal, at: now() };
      r();
    })
  );
  const fail = async (why) => {
    console.error(`feed_latency.js: ${why}`);
    console.error(bulkdOut.split("\n").slice(-20).join("\n"));
    if (!exitInfo) bulkd.kill("SIGKILL");
    process.exit(1);
  };

  // Warm-up: every range must be live before the measured writes.
  const warm = 40;
  await Promise.all(
    Array.from({ length: warm }, (_, i) =>
      container.items.create({ id: `warm-${i}`, pk: `warm-pk-${i}`, sent_ms: Date.now() })
    )
  );
  const warmOk = await until(() => {
    for (let i = 0; i < warm; ++i) if (!firstSeen.has(`warm-${i}`)) return false;
    return true;
  }, 30000);
  if (exitInfo) return fail(`bulkd exited early (${exitInfo.code ?? exitInfo.signal})`);
  if (!warmOk) return fail("the warm-up documents did not reach the sink within 30 s");

  // The measured writes.
  const n = Math.round(rate * seconds);
  const sent = new Array(n);
  const acked = new Array(n);
  const writes = [];
  const failed = []; // writes that got no ack: left out of the figures
  const t0 = now();
  for (let i = 0; i < n; ++i) {
    const due = ms(t0) + (i * 1000) / rate;
    const wait = due - ms(now());
    if (wait > 1) await sleep(wait);
    const id = `lat-${i}`;
    const doc = { id, pk: `pk-${i % 100}`, n: i, sent_ms: Date.now() };
    sent[i] = now();
    writes.push(
      container.items.create(doc).then(
        () => {
          acked[i] = now();
        },
        (e) => {
          failed.push(`${id}: ${e.code ?? ""} ${String(e.message).split("\n")[0]}`);
        }
      )
    );
  }
  await Promise.all(writes);
  const writeSeconds = ms(now() - t0) / 1000;
  await until(() => {
    for (let i = 0; i < n; ++i)
      if (acked[i] !== undefined && !firstSeen.has(`lat-${i}`)) return false;
    return true;
  }, drainSeconds * 1000);

  const termAt = now();
  if (!exitInfo) bulkd.kill("SIGTERM");
  const stopped = await Promise.race([exited.then(() => true), sleep(30000).then(() => false)]);
  if (!stopped) {
    bulkd.kill("SIGKILL");
    await exited;
  }
  Atomics.store(new Int32Array(shared), 0, 1);
  await tailFinished;

  const lat = [];
  const fromSent = [];
  const ack = [];
  let missing = 0;
  for (let i = 0; i < n; ++i) {
    if (acked[i] === undefined) continue;
    const t = firstSeen.get(`lat-${i}`);
    ack.push(ms(acked[i] - sent[i]));
    if (t === undefined) {
      ++missing;
      continue;
    }
    lat.push(ms(t - acked[i]));
    fromSent.push(ms(t - sent[i]));
  }
  const num = (a, b) => a - b;
  lat.sort(num);
  fromSent.sort(num);
  ack.sort(num);
  const f = (v) => (Number.isFinite(v) ? v.toFixed(1) : "nan");
  const exitText = stopped ? String(exitInfo.code ?? exitInfo.signal) : "killed";
  console.log(
    `docs=${n} write_errors=${failed.length} seen=${lat.length} missing=${missing} ` +
      `duplicates=${duplicates} ` +
      `rate=${(n / writeSeconds).toFixed(0)} ` +
      `p50_ms=${f(percentile(lat, 50))} p90_ms=${f(percentile(lat, 90))} ` +
      `p99_ms=${f(percentile(lat, 99))} max_ms=${f(lat[lat.length - 1])} ` +
      `min_ms=${f(lat[0])} ` +
      `sent_p50_ms=${f(percentile(fromSent, 50))} sent_p99_ms=${f(percentile(fromSent, 99))} ` +
      `sent_max_ms=${f(fromSent[fromSent.length - 1])} ack_p99_ms=${f(percentile(ack, 99))} ` +
      `bulkd_exit=${exitText} stop_ms=${stopped ? f(ms(exitInfo.at - termAt)) : "nan"}`
  );
  for (const f of failed.slice(0, 5)) console.error(`feed_latency.js: write failed: ${f}`);
  if (env.BULKD_BULKD_LOG) fs.writeFileSync(env.BULKD_BULKD_LOG, bulkdOut);
  if (env.BULKD_LATENCIES)
    fs.writeFileSync(env.BULKD_LATENCIES, lat.map((v) => v.toFixed(3)).join("\n") + "\n");
  process.exit(missing === 0 && exitText === "0" ? 0 : 1);
}

main().catch((err) => {
  console.error(`feed_latency.js: ${err.stack || err}`);
  process.exit(1);
});
