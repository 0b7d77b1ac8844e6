// Bundle the player (viz/web/js/entry.js and what it imports, vtk.js and meshoptimizer's
// decoder from node_modules) into the one committed file viz/web/dist/player.bundle.js.
// `npm run build` writes it; `node viz/web/build.mjs --check` exits 1 when the committed
// file differs from a fresh build (tests/test_js.py runs it).

import { readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

import { build } from "esbuild";

const here = dirname(fileURLToPath(import.meta.url));
const outfile = join(here, "dist", "player.bundle.js");
const check = process.argv.includes("--check");

const result = await build({
  entryPoints: [join(here, "js", "entry.js")],
  bundle: true,
  format: "esm",
  minify: true,
  target: ["es2022"],
  legalComments: "eof",
  charset: "utf8",
  outfile,
  write: !check,
  logLevel: "warning",
});

if (check) {
  const fresh = result.outputFiles[0].text;
  let committed;
  try {
    committed = readFileSync(outfile, "utf8");
  } catch {
    committed = "";
  }
  if (fresh !== committed) {
    console.error(`${relative(process.cwd(), outfile)} is not current: run \`npm run build\` and commit it.`);
    process.exit(1);
  }
  console.log(`${relative(process.cwd(), outfile)} is current.`);
}
