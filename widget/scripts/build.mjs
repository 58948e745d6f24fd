// Builds the visitor widget and the agent console into widget/dist, which embed.go embeds into
// the Go binary:
//
//   widget.js                 the loader (its URL is fixed, so it is not hashed)
//   widget/chat.<hash>.js     the chat UI
//   widget/chat.<hash>.css    its stylesheet
//   console/index.html        the console's HTML shell (served at /console, never cached)
//   console/app.<hash>.js     the console
//   console/app.<hash>.css    its stylesheet
//
// each with precompressed .gz and .br siblings so the server never compresses at runtime.
// The output is deterministic (same sources, same bytes) because CI rebuilds and fails when
// widget/dist differs from what is committed.
import { createHash } from "node:crypto";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { brotliCompressSync, brotliDecompressSync, constants, gunzipSync, gzipSync } from "node:zlib";
import * as esbuild from "esbuild";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const src = path.join(root, "widget/src");
const dist = path.join(root, "widget/dist");

// Browsers with ES2020, shadow DOM, fetch and WebSocket: everything since early 2021.
// (CSS is lowered for those browsers; JS is kept at ES2020 syntax.)
const cssTarget = ["chrome87", "edge88", "firefox78", "safari14"];

async function bundle(entry, options = {}, dir = src) {
  const result = await esbuild.build({
    entryPoints: [path.join(dir, entry)],
    bundle: true,
    minify: true,
    write: false,
    target: entry.endsWith(".css") ? cssTarget : "es2020",
    charset: "utf8",
    legalComments: "none",
    logLevel: "warning",
    ...options,
  });
  return Buffer.from(result.outputFiles[0].contents);
}

const hash = (buf) => createHash("sha256").update(buf).digest("hex").slice(0, 10);

function gzip(buf) {
  const out = gzipSync(buf, { level: 9 });
  out[9] = 255; // the OS byte differs between platforms' zlib builds; "unknown" everywhere
  return out;
}

function brotli(buf) {
  return brotliCompressSync(buf, {
    params: {
      [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
      [constants.BROTLI_PARAM_QUALITY]: 11,
      [constants.BROTLI_PARAM_SIZE_HINT]: buf.length,
    },
  });
}

async function readOr(file) {
  try {
    return await readFile(file);
  } catch {
    return null;
  }
}

// write stores a file with its .gz and .br siblings. A compressed sibling that already
// decompresses to the same bytes is left alone, so a different zlib or brotli build (another
// Node version) does not turn an unchanged asset into a diff.
async function write(rel, buf) {
  const file = path.join(dist, rel);
  await mkdir(path.dirname(file), { recursive: true });
  const old = await readOr(file);
  if (!old || !old.equals(buf)) await writeFile(file, buf);
  for (const [ext, pack, unpack] of [
    [".gz", gzip, gunzipSync],
    [".br", brotli, brotliDecompressSync],
  ]) {
    const prev = await readOr(file + ext);
    let same = false;
    try {
      same = prev !== null && unpack(prev).equals(buf);
    } catch {
      same = false;
    }
    if (!same) await writeFile(file + ext, pack(buf));
  }
  const gz = await readFile(file + ".gz");
  const br = await readFile(file + ".br");
  return { rel, raw: buf.length, gz: gz.length, br: br.length };
}

const css = await bundle("chat.css");
const cssName = `chat.${hash(css)}.css`;
const chat = await bundle("chat.ts", { format: "iife" });
const chatName = `chat.${hash(chat)}.js`;
const loader = await bundle("loader.ts", {
  format: "iife",
  define: { __CHAT_JS__: JSON.stringify(chatName), __CHAT_CSS__: JSON.stringify(cssName) },
});

// Remove chat files of earlier builds; other files in dist (the console, later) are not ours.
const keep = new Set([chatName, cssName].flatMap((n) => [n, n + ".gz", n + ".br"]));
for (const name of await readdir(path.join(dist, "widget")).catch(() => [])) {
  if (/^chat\./.test(name) && !keep.has(name)) await rm(path.join(dist, "widget", name));
}

const sizes = [
  await write("widget.js", loader),
  await write(`widget/${chatName}`, chat),
  await write(`widget/${cssName}`, css),
];
// The console: same-origin only, built like the widget and kept apart in dist/console.
const consoleSrc = path.join(root, "widget/console");
const appCss = await bundle("console.css", {}, consoleSrc);
const appCssName = `app.${hash(appCss)}.css`;
const app = await bundle("main.ts", { format: "iife" }, consoleSrc);
const appName = `app.${hash(app)}.js`;
const shell = Buffer.from(
  (await readFile(path.join(consoleSrc, "index.html"), "utf8")).replace("__CSS__", appCssName).replace("__JS__", appName),
);
const keepConsole = new Set(["index.html", appName, appCssName].flatMap((n) => [n, n + ".gz", n + ".br"]));
for (const name of await readdir(path.join(dist, "console")).catch(() => [])) {
  if (!keepConsole.has(name)) await rm(path.join(dist, "console", name));
}
sizes.push(
  await write("console/index.html", shell),
  await write(`console/${appName}`, app),
  await write(`console/${appCssName}`, appCss),
);

for (const s of sizes) {
  console.log(`${s.rel.padEnd(32)} ${String(s.raw).padStart(7)} B  gzip ${String(s.gz).padStart(6)} B  br ${String(s.br).padStart(6)} B`);
}
