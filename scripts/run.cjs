// Runs a TypeScript entry point of this project as one esbuild bundle (node_modules stay external),
// cached under node_modules/.cache/ai-mesh and rebuilt only when a source it bundles changed. One
// bundle loads in a fraction of the CPU that transpiling module by module at load time (tsx)
// costs, which was most of `npm run plan`'s time. package.json runs it with --no-opt: a plan is
// over in a second or two, too soon for V8's optimizing compiler to pay back its own CPU.
//   node --no-opt scripts/run.cjs scripts/plan.ts --stack dev
const fs = require("fs");
const path = require("path");

const [entry, ...args] = process.argv.slice(2);
if (!entry) {
  console.error("usage: node scripts/run.cjs <entry.ts> [args...]");
  process.exit(2);
}
const root = path.resolve(__dirname, "..");
const cache = path.join(root, "node_modules", ".cache", "ai-mesh");
const name = path.basename(entry, ".ts");
const outfile = path.join(cache, `${name}.cjs`);
const manifest = require(path.join(root, "package.json"));
const inputsFile = path.join(cache, `${name}.inputs.json`);

/** The bundle is fresh when it exists and no source it was built from is newer. */
function fresh() {
  try {
    const built = fs.statSync(outfile).mtimeMs;
    const inputs = JSON.parse(fs.readFileSync(inputsFile, "utf8"));
    return inputs.every((file) => fs.statSync(path.join(root, file)).mtimeMs <= built);
  } catch {
    return false;
  }
}

if (!fresh()) {
  // Built aside and renamed into place: parallel runs (jest workers) never read half a bundle.
  const staging = `${outfile}.${process.pid}.tmp`;
  const result = require("esbuild").buildSync({
    entryPoints: [path.resolve(entry)],
    outfile: staging,
    bundle: true,
    // Packages load from node_modules as usual, except zod: bundled (tree-shaken, as ESM) it skips
    // loading all of its locales and the API the config does not use.
    external: Object.keys({ ...manifest.dependencies, ...manifest.devDependencies })
      .filter((name) => name !== "zod")
      .flatMap((name) => [name, `${name}/*`]),
    platform: "node",
    format: "cjs",
    target: "node20",
    metafile: true,
    logLevel: "warning",
    absWorkingDir: root,
  });
  fs.writeFileSync(`${inputsFile}.${process.pid}.tmp`, JSON.stringify(Object.keys(result.metafile.inputs)));
  fs.renameSync(staging, outfile);
  fs.renameSync(`${inputsFile}.${process.pid}.tmp`, inputsFile);
}
process.argv = [process.argv[0], path.resolve(entry), ...args];
require(outfile);
