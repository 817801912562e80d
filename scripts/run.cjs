// Runs a TypeScript entry point of this project as one esbuild bundle (node_modules stay external),
// cached under node_modules/.cache/ai-mesh and rebuilt only when a source it bundles changed, and
// compiled from V8's code cache of the previous run. One bundle loads in a fraction of the time that
// transpiling module by module at load time (tsx) takes, which was most of `npm run plan`'s time.
//   node scripts/run.cjs scripts/plan.ts --stack dev
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
/** Pure-JS packages that load faster as part of the bundle than file by file from node_modules. */
const BUNDLED = ["zod", "yaml"];

/** The bundle is fresh when it exists and no source it was built from (nor how) is newer. */
function fresh() {
  try {
    const built = fs.statSync(outfile).mtimeMs;
    const inputs = JSON.parse(fs.readFileSync(inputsFile, "utf8"));
    return [...inputs, "scripts/run.cjs", "package.json"].every(
      (file) => fs.statSync(path.join(root, file)).mtimeMs <= built,
    );
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
    // Packages load from node_modules as usual, except zod and yaml: bundled (tree-shaken, as ESM)
    // zod skips loading its locales and the API the config does not use, and yaml its 70 files.
    external: Object.keys({ ...manifest.dependencies, ...manifest.devDependencies })
      .filter((name) => !BUNDLED.includes(name))
      .flatMap((name) => [name, `${name}/*`]),
    platform: "node",
    format: "cjs",
    target: "node24",
    metafile: true,
    logLevel: "warning",
    absWorkingDir: root,
  });
  fs.writeFileSync(`${inputsFile}.${process.pid}.tmp`, JSON.stringify(Object.keys(result.metafile.inputs)));
  fs.renameSync(staging, outfile);
  fs.renameSync(`${inputsFile}.${process.pid}.tmp`, inputsFile);
  // The old bundle's code caches are no use to this one (each is named after its bundle's hash).
  for (const old of fs.readdirSync(cache).filter((f) => f.startsWith(`${name}.cjs.`) && f.endsWith(".v8cache"))) {
    fs.rmSync(path.join(cache, old), { force: true });
  }
}
process.argv = [process.argv[0], path.resolve(entry), ...args];
runWithCodeCache(outfile);

/**
 * Runs the bundle as CommonJS, compiled with V8's code cache of the last run (kept beside it): the
 * parse and the lazy compilation of every function the run needs are skipped. The SDKs in
 * node_modules load as usual. The cache is named after the bundle's hash: V8 checks only the source's
 * length, so a rebuilt bundle of the same length would otherwise run the old bundle's code. A cache V8
 * rejects (another Node) is rewritten.
 */
function runWithCodeCache(file) {
  const Module = require("module");
  const vm = require("vm");
  const source = fs.readFileSync(file, "utf8");
  const hash = require("crypto").createHash("sha256").update(source).digest("hex").slice(0, 16);
  const cacheFile = `${file}.${hash}.v8cache`;
  let cachedData;
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch {
    // first run
  }
  const script = new vm.Script(Module.wrap(source), { filename: file, cachedData });
  if (cachedData === undefined || script.cachedDataRejected) {
    // At exit the functions the run compiled are in the cache too.
    process.once("exit", () => {
      try {
        const staging = `${cacheFile}.${process.pid}.tmp`;
        fs.writeFileSync(staging, script.createCachedData());
        fs.renameSync(staging, cacheFile);
      } catch {
        // a cache is an optimisation; the next run tries again
      }
    });
  }
  const mod = new Module(file, module);
  mod.filename = file;
  mod.paths = Module._nodeModulePaths(path.dirname(file));
  script.runInThisContext()(mod.exports, Module.createRequire(file), mod, file, path.dirname(file));
}
