// Bundles src/editor.js with esbuild into the package's assets (one minified script, no CDN at run time):
//   ../src/cnipa_kg/web/assets/editor.js          the editor, headed by the packages and versions it holds
//   ../src/cnipa_kg/web/assets/editor.js.LICENSE  the licence of each of those packages
// Run by `make editor` after `npm ci` (the versions of package-lock.json); `make editor-check` builds into a
// temporary folder and compares byte for byte with the committed files. `node build.mjs OUT_DIR` writes there.
import { build } from "esbuild";
import { readFileSync, writeFileSync, existsSync, mkdirSync, readdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const out = resolve(process.argv[2] || join(here, "..", "src", "cnipa_kg", "web", "assets"));

const result = await build({
  entryPoints: [join(here, "src", "editor.js")],
  bundle: true,
  minify: true,
  format: "iife",
  target: ["es2020"],
  charset: "utf8",
  legalComments: "none",
  metafile: true,
  write: false,
  outfile: join(out, "editor.js"),
  absWorkingDir: here,
  logLevel: "warning",
});

// the packages whose code is in the bundle, from the inputs esbuild read (node_modules/<name>/…)
const packages = new Map();
for (const input of Object.keys(result.metafile.inputs)) {
  const m = /(?:^|\/)node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
  if (!m || packages.has(m[1])) { continue; }
  const dir = join(here, "node_modules", m[1]);
  const meta = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"));
  const licence = readdirSync(dir).filter((f) => /^(licen[cs]e|copying)(\.|$)/i.test(f)).sort()[0];
  packages.set(m[1], { version: meta.version, license: meta.license || "see its package",
                       text: licence ? readFileSync(join(dir, licence), "utf8").trim() : `(no licence file; package.json says ${meta.license})` });
}
const names = [...packages.keys()].sort();
const banner = "/* cnipa-kg SPARQL editor (editor/src/editor.js), bundled by editor/build.mjs with esbuild. Contains: " +
  names.map((n) => `${n}@${packages.get(n).version} (${packages.get(n).license})`).join(", ") +
  ". Licences: editor.js.LICENSE */\n";
const licences = "Licences of the packages bundled in editor.js (from the npm registry, versions of editor/package-lock.json)\n\n" +
  names.map((n) => `== ${n}@${packages.get(n).version} (${packages.get(n).license})\n\n${packages.get(n).text}\n`).join("\n");

if (!existsSync(out)) { mkdirSync(out, { recursive: true }); }
writeFileSync(join(out, "editor.js"), banner + result.outputFiles[0].text);
writeFileSync(join(out, "editor.js.LICENSE"), licences);
console.log(`editor.js: ${result.outputFiles[0].contents.length} bytes from ${names.length} packages -> ${out}`);
