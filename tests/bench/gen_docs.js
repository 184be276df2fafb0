// Writes N JSON documents of about SIZE bytes, one per line, for the bulk benchmarks:
//   node gen_docs.js N SIZE FILE
// Each has a unique id, a partition key `pk` spread over 1,000 values, and filler text; the same
// N and SIZE always give the same file.
"use strict";

const fs = require("node:fs");

const [n, size, file] = [Number(process.argv[2]), Number(process.argv[3] || "1024"), process.argv[4]];
if (!n || !file) {
  console.error("usage: node gen_docs.js N SIZE FILE");
  process.exit(2);
}
const out = fs.createWriteStream(file);
let i = 0;
let seed = 42;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
function write() {
  let ok = true;
  while (i < n && ok) {
    const doc = { id: `doc-${i}`, pk: `pk-${i % 1000}`, n: i, price: Math.round(rand() * 10000) / 100 };
    const base = JSON.stringify(doc).length + 12;
    doc.text = "x".repeat(Math.max(0, size - base));
    ok = out.write(JSON.stringify(doc) + "\n");
    ++i;
  }
  if (i < n) out.once("drain", write);
  else out.end();
}
write();
