// The size budget of the agent console, measured on the committed build (what Go serves): its
// initial load (the HTML shell and every file it names) must stay at most 100 KB gzipped.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";

const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../dist/console");
const BUDGET = 100 * 1024;

async function gzipped(rel) {
  const [raw, gz] = await Promise.all([readFile(path.join(dist, rel)), readFile(path.join(dist, rel + ".gz"))]);
  assert.ok(gunzipSync(gz).equals(raw), `console/${rel}.gz does not decode to console/${rel}`);
  return gz.length;
}

test("the console's initial load stays within 100 KB gzipped", async () => {
  const shell = await readFile(path.join(dist, "index.html"), "utf8");
  const files = [...new Set(shell.match(/app\.[0-9a-f]{10}\.(js|css)/g))];
  assert.deepEqual(files.map((f) => path.extname(f)).sort(), [".css", ".js"], "the shell must name one script and one stylesheet");
  let total = await gzipped("index.html");
  for (const f of files) {
    const size = await gzipped(f);
    console.log(`console/${f}: ${size} B gzipped`);
    total += size;
  }
  console.log(`console initial load: ${total} B gzipped (budget ${BUDGET})`);
  assert.ok(total <= BUDGET, `the console's initial load is ${total} B gzipped, over the ${BUDGET} B budget`);
});
