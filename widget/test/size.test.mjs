// The size budget of the visitor widget, measured on the committed build (what Go serves):
// the loader every page includes must stay at most 3 KB gzipped, the whole chat (loader, chat
// script and stylesheet) at most 20 KB gzipped.
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";

const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../dist");
const LOADER_BUDGET = 3 * 1024;
const CHAT_BUDGET = 20 * 1024;

async function gzipped(rel) {
  const [raw, gz] = await Promise.all([readFile(path.join(dist, rel)), readFile(path.join(dist, rel + ".gz"))]);
  assert.ok(gunzipSync(gz).equals(raw), `${rel}.gz does not decode to ${rel}`);
  return gz.length;
}

test("widget.js stays within 3 KB gzipped", async () => {
  const size = await gzipped("widget.js");
  console.log(`widget.js: ${size} B gzipped (budget ${LOADER_BUDGET})`);
  assert.ok(size <= LOADER_BUDGET, `widget.js is ${size} B gzipped, over the ${LOADER_BUDGET} B budget`);
});

test("the full chat UI (loader, script, stylesheet) stays within 20 KB gzipped", async () => {
  const loader = await readFile(path.join(dist, "widget.js"), "utf8");
  const files = [...new Set(loader.match(/chat\.[0-9a-f]{10}\.(js|css)/g))];
  assert.deepEqual(files.map((f) => path.extname(f)).sort(), [".css", ".js"], "widget.js must name one chat script and one stylesheet");
  let total = await gzipped("widget.js");
  for (const f of files) {
    const size = await gzipped("widget/" + f);
    console.log(`${f}: ${size} B gzipped`);
    total += size;
  }
  console.log(`full chat UI: ${total} B gzipped (budget ${CHAT_BUDGET})`);
  assert.ok(total <= CHAT_BUDGET, `the chat UI is ${total} B gzipped, over the ${CHAT_BUDGET} B budget`);
});
