#!/usr/bin/env node
// Copy the front-end files Sportello serves from node_modules/ into static/vendor/.
//
// The app runs on closed networks, so nothing is loaded from a CDN: the pinned npm
// packages (package-lock.json) are the only source, and this script picks exactly the
// files the templates reference.  It is idempotent: a file is rewritten only when its
// content changed, and files that are no longer produced are removed, so a second run
// is a no-op that takes a few milliseconds.
//
// Output (paths relative to static/, use them with {% static %}):
//   vendor/bootstrap-italia/css/bootstrap-italia.min.css (+ .map)
//   vendor/bootstrap-italia/css/fonts.css        generated, see buildFontsCss()
//   vendor/bootstrap-italia/fonts/<Family>/*.woff2|*.woff (+ font licences)
//   vendor/bootstrap-italia/js/bootstrap-italia.bundle.min.js
//   vendor/bootstrap-italia/svg/sprites.svg
//   vendor/htmx/htmx.min.js
//   vendor/chart.js/chart.umd.min.js (+ .map)
//   vendor/axe-core/axe.min.js
//   vendor/<package>/LICENSE*                      licences travel with the files
//   vendor/.stamp                                  versions, for make and humans

import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const NODE_MODULES = path.join(ROOT, "node_modules");
const VENDOR = path.join(ROOT, "static", "vendor");
const STAMP = ".stamp";

/** dest (relative to VENDOR) -> Buffer; filled by the plan, then written in one pass. */
const outputs = new Map();

function fail(message) {
  console.error(`build_assets: ${message}`);
  process.exit(1);
}

function packageDir(name) {
  const dir = path.join(NODE_MODULES, name);
  if (!fs.existsSync(path.join(dir, "package.json"))) {
    fail(`${name} is not installed; run "npm ci" (or "make assets").`);
  }
  return dir;
}

function packageVersion(name) {
  return JSON.parse(fs.readFileSync(path.join(packageDir(name), "package.json"), "utf8")).version;
}

function readSource(file) {
  if (!fs.existsSync(file)) fail(`missing ${path.relative(ROOT, file)}; did the package layout change?`);
  return fs.readFileSync(file);
}

function add(dest, content) {
  outputs.set(dest.split(path.sep).join("/"), Buffer.isBuffer(content) ? content : Buffer.from(content));
}

// Django's ManifestStaticFilesStorage (whitenoise) rewrites "sourceMappingURL" comments
// and fails collectstatic when the map is missing, so a referenced map is copied too.
const SOURCE_MAP = /^(?:\/\/# sourceMappingURL=(\S+)|\/\*# sourceMappingURL=(\S+) \*\/)\s*$/gm;

function copy(srcFile, dest) {
  const content = readSource(srcFile);
  add(dest, content);
  if (/\.(css|js)$/.test(srcFile)) {
    for (const match of content.toString("utf8").matchAll(SOURCE_MAP)) {
      const ref = match[1] ?? match[2];
      if (/^(data:|https?:|\/)/.test(ref)) continue;
      add(path.join(path.dirname(dest), ref), readSource(path.join(path.dirname(srcFile), ref)));
    }
  }
}

function copyLicences(pkg, destDir) {
  const dir = packageDir(pkg);
  const licences = fs.readdirSync(dir).filter((name) => /^(licen[cs]e|copying|notice)/i.test(name));
  if (licences.length === 0) fail(`${pkg} ships no licence file`);
  for (const name of licences) copy(path.join(dir, name), path.join(destDir, name));
}

// Bootstrap Italia 2 does not declare its fonts in the CSS: bootstrap.loadFonts() injects
// a <style> element at run time, which our Content-Security-Policy (no 'unsafe-inline')
// blocks.  We read the @font-face rules from that function once, here, and write them
// to a static fonts.css that points at the copied files with relative URLs.  Only WOFF2
// and WOFF are kept: every browser we support reads them; EOT/SVG/TTF are for IE and
// old iOS.
function buildFontsCss(biDir) {
  const bundle = readSource(path.join(biDir, "dist/js/bootstrap-italia.bundle.min.js")).toString("utf8");
  const start = bundle.indexOf("loadFonts:");
  const open = bundle.indexOf(".innerHTML=`", start);
  const close = bundle.indexOf("`", open + ".innerHTML=`".length);
  if (start < 0 || open < 0 || close < 0) fail("cannot find the @font-face rules in bootstrap-italia's loadFonts()");
  const template = bundle
    .slice(open + ".innerHTML=`".length, close)
    .replace(/\\n/g, "\n")
    .replace(/\$\{\w+\}/g, "@FONTS@");
  const rules = [];
  const files = new Set();
  for (const block of template.match(/@font-face\s*\{[^}]*\}/g) ?? []) {
    const prop = (name) => block.match(new RegExp(`${name}:\\s*([^;]+);`))?.[1].trim();
    const sources = [];
    for (const format of ["woff2", "woff"]) {
      const url = block.match(new RegExp(`url\\('@FONTS@/([^']+\\.${format})'\\)`))?.[1];
      if (url) {
        sources.push(`url("../fonts/${url}") format("${format}")`);
        files.add(url);
      }
    }
    if (sources.length === 0) fail(`no woff2/woff source in @font-face block:\n${block}`);
    rules.push(
      "@font-face {\n" +
        `  font-family: ${prop("font-family")};\n` +
        `  font-style: ${prop("font-style")};\n` +
        `  font-weight: ${prop("font-weight")};\n` +
        `  font-display: ${prop("font-display") ?? "swap"};\n` +
        `  src: ${sources.join(",\n       ")};\n` +
        "}\n",
    );
  }
  if (rules.length === 0) fail("no @font-face rules found in bootstrap-italia's loadFonts()");
  const version = packageVersion("bootstrap-italia");
  add(
    "bootstrap-italia/css/fonts.css",
    `/* Generated by scripts/build_assets.mjs from bootstrap-italia ${version} loadFonts(); do not edit. */\n` +
      rules.join("\n"),
  );
  const fontsDir = path.join(biDir, "dist/fonts");
  for (const file of files) copy(path.join(fontsDir, file), path.join("bootstrap-italia/fonts", file));
  // The SIL Open Font License asks that the licence travel with the font files.
  for (const family of new Set([...files].map((file) => path.dirname(file)))) {
    for (const name of fs.readdirSync(path.join(fontsDir, family))) {
      if (/\.(txt|md)$/i.test(name)) copy(path.join(fontsDir, family, name), path.join("bootstrap-italia/fonts", family, name));
    }
  }
}

function plan() {
  const bi = packageDir("bootstrap-italia");
  copy(path.join(bi, "dist/css/bootstrap-italia.min.css"), "bootstrap-italia/css/bootstrap-italia.min.css");
  copy(path.join(bi, "dist/js/bootstrap-italia.bundle.min.js"), "bootstrap-italia/js/bootstrap-italia.bundle.min.js");
  copy(path.join(bi, "dist/svg/sprites.svg"), "bootstrap-italia/svg/sprites.svg");
  buildFontsCss(bi);
  copyLicences("bootstrap-italia", "bootstrap-italia");

  copy(path.join(packageDir("htmx.org"), "dist/htmx.min.js"), "htmx/htmx.min.js");
  copyLicences("htmx.org", "htmx");

  copy(path.join(packageDir("chart.js"), "dist/chart.umd.min.js"), "chart.js/chart.umd.min.js");
  copyLicences("chart.js", "chart.js");

  copy(path.join(packageDir("axe-core"), "axe.min.js"), "axe-core/axe.min.js");
  copyLicences("axe-core", "axe-core");

  const versions = Object.fromEntries(
    ["bootstrap-italia", "htmx.org", "chart.js", "axe-core"].map((name) => [name, packageVersion(name)]),
  );
  add(STAMP, `${JSON.stringify(versions, null, 2)}\n`);
}

function digest(buffer) {
  return createHash("sha256").update(buffer).digest("hex");
}

function listFiles(dir, prefix = "") {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    return entry.isDirectory() ? listFiles(path.join(dir, entry.name), rel) : [rel];
  });
}

function removeEmptyDirs(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const sub = path.join(dir, entry.name);
    removeEmptyDirs(sub);
    if (fs.readdirSync(sub).length === 0) fs.rmdirSync(sub);
  }
}

function write() {
  let written = 0;
  let removed = 0;
  for (const [rel, content] of outputs) {
    if (rel === STAMP) continue; // last, so an interrupted run is not taken as complete
    const dest = path.join(VENDOR, rel);
    if (fs.existsSync(dest)) {
      const current = fs.readFileSync(dest);
      if (current.length === content.length && digest(current) === digest(content)) continue;
    }
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.writeFileSync(dest, content);
    written += 1;
  }
  for (const rel of listFiles(VENDOR)) {
    if (!outputs.has(rel)) {
      fs.rmSync(path.join(VENDOR, rel));
      removed += 1;
    }
  }
  removeEmptyDirs(VENDOR);
  fs.mkdirSync(VENDOR, { recursive: true });
  fs.writeFileSync(path.join(VENDOR, STAMP), outputs.get(STAMP));
  const versions = Object.entries(JSON.parse(outputs.get(STAMP).toString("utf8")))
    .map(([name, version]) => `${name} ${version}`)
    .join(", ");
  console.log(
    `build_assets: ${outputs.size - 1} files in ${path.relative(ROOT, VENDOR)}/ ` +
      `(${written} written, ${removed} removed) from ${versions}`,
  );
}

plan();
write();
