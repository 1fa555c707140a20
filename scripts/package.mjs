// The release package: dist/glassformer-<version>.tgz, an npm package (the
// `npm pack` format) holding everything a page needs, already built, so a
// course author needs no Rust:
//
//   glassformer.js + its modules, widgets/   the one script a page includes
//   glassformer.d.ts                         its types
//   pkg/ pkg-relaxed/ pkg-threads/           the three wasm builds (loader.js picks)
//   cpu-worker.js                            the threaded CPU kernels' worker
//   models/ data/                            the shipped models and the GPT's corpus
//   index.html widgets.html example-notes.html share.html …  the course page itself
//   sw.js                                    the course page's offline cache
//
// Every URL inside is relative to the module that uses it (import.meta.url),
// so the folder works from node_modules/glassformer/ or any static host and
// sub-path. The version is Cargo.toml's: the package, the README and
// `rt.version` say the same.
//
//   npm run package        (builds the three wasm packages first)
//
// Size budget, checked here (the build fails past it): each build's wasm at
// most 600 KB (614,400 bytes) gzipped, the whole tarball at most 14,000,000 bytes.
import { execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const www = join(root, "www");
const WASM_GZIP_BUDGET = 600 * 1024; // bytes: 600 KB of 1,024 bytes
const TARBALL_BUDGET = 14_000_000; // bytes

/** The version in Cargo.toml (the one place it is written). */
export function cargoVersion() {
  const match = readFileSync(join(root, "Cargo.toml"), "utf8").match(/^version = "([^"]+)"/m);
  if (!match) throw new Error("Cargo.toml has no version line");
  return match[1];
}

// What the package holds from www/: modules, pages, and the data folders.
const FILES = [
  "glassformer.js", "glassformer.d.ts", "loader.js", "runtime.js", "restartable.js", "pretrained.js",
  "worker-runtime.js", "cpu-worker.js", "model-picker.js", "widgets-page.js", "page-lang.js", "offline.js", "sw.js",
  "index.html", "widgets.html", "example-notes.html", "share.html", "style.css", "favicon.svg",
];
const FOLDERS = ["widgets", "models", "data"];
const BUILDS = ["pkg", "pkg-relaxed", "pkg-threads"];
// Of each wasm-pack output: the module, its glue and types (not its own package.json and README).
const BUILD_FILES = ["glassformer.js", "glassformer_bg.wasm", "glassformer.d.ts", "glassformer_bg.wasm.d.ts", "snippets"];

function main() {
  const version = cargoVersion();
  const stage = join(root, "dist", "package");
  rmSync(stage, { recursive: true, force: true });
  mkdirSync(stage, { recursive: true });

  for (const file of FILES) cpSync(join(www, file), join(stage, file));
  for (const folder of FOLDERS) cpSync(join(www, folder), join(stage, folder), { recursive: true });
  for (const build of BUILDS) {
    if (!existsSync(join(www, build, "glassformer_bg.wasm"))) {
      throw new Error(`www/${build} is not built: run bash scripts/build-wasm.sh (npm run package does)`);
    }
    for (const file of BUILD_FILES) {
      if (existsSync(join(www, build, file))) cpSync(join(www, build, file), join(stage, build, file), { recursive: true });
    }
    const gzipped = gzipSync(readFileSync(join(www, build, "glassformer_bg.wasm")), { level: 9 }).length;
    console.log(`${build}/glassformer_bg.wasm: ${gzipped.toLocaleString("en")} bytes gzipped (budget ${WASM_GZIP_BUDGET.toLocaleString("en")})`);
    if (gzipped > WASM_GZIP_BUDGET) throw new Error(`${build}'s wasm is ${gzipped} bytes gzipped, over the budget of ${WASM_GZIP_BUDGET}`);
  }
  for (const file of ["CHANGELOG.md", "LICENSE"]) cpSync(join(root, file), join(stage, file));
  cpSync(join(root, "scripts", "package-readme.md"), join(stage, "README.md"));
  const readme = readFileSync(join(stage, "README.md"), "utf8");
  if (!readme.includes(`glassformer-${version}.tgz`)) throw new Error(`scripts/package-readme.md does not name glassformer-${version}.tgz`);

  const manifest = {
    name: "glassformer",
    version,
    description: "A see-through Transformer that trains and runs in the browser: the widgets and runtime, built (no Rust needed)",
    license: "MIT",
    type: "module",
    main: "glassformer.js",
    types: "glassformer.d.ts",
    exports: { ".": { types: "./glassformer.d.ts", default: "./glassformer.js" }, "./*": "./*" },
    // Importing glassformer.js registers the custom elements: never tree-shake it away.
    sideEffects: true,
    keywords: ["transformer", "attention", "webgpu", "webassembly", "education", "web-components"],
  };
  writeFileSync(join(stage, "package.json"), JSON.stringify(manifest, null, 2) + "\n");

  const dist = join(root, "dist");
  const out = execFileSync("npm", ["pack", "--json", "--pack-destination", dist], { cwd: stage, encoding: "utf8" });
  const [{ filename, size, unpackedSize, entryCount }] = JSON.parse(out);
  const tarball = join(dist, filename);
  if (statSync(tarball).size > TARBALL_BUDGET) throw new Error(`${filename} is ${size} bytes, over the budget of ${TARBALL_BUDGET}`);
  console.log(`dist/${filename}: ${(size / 1e6).toFixed(1)} MB (${(unpackedSize / 1e6).toFixed(1)} MB unpacked, ${entryCount} files; budget ${TARBALL_BUDGET / 1e6} MB)`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main();
