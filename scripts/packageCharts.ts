// `npm run charts -- [--out DIR] [--pull]`: one directory of packaged charts and CRD bundles for offline
// installs (the e2e run, air-gapped mirrors): the charts of $AI_MESH_CHARTS (linked), plus every pinned
// chart and CRD bundle whose source sits in a Go module (`helm package`, or the CRD files joined, from
// `go mod download`; needs go) — or, with --pull, all of them from where they are published (`helm
// pull`, the release assets; needs the network). Needs helm.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CRD_MANIFESTS, type ManifestRef } from "../components/charts/manifests";
import { CHARTS, ISTIO_CHARTS, istioChart, packagedChartFile, type ChartRef } from "../components/charts/pins";
import { DEFAULT_ISTIO_VERSION } from "../components/config/istioSchema";
import { runCommand, type Command } from "../cli/args";
import { ROOT } from "../cli/project";
import { moduleDir } from "../cli/goModules";

const command = {
  usage: ["npm run charts -- [--out <dir>] [--pull]"],
  about:
    "One directory of packaged charts and CRD bundles for offline installs: those of $AI_MESH_CHARTS (linked),\n" +
    "plus every pinned one whose source is a Go module (needs go), or with --pull all from where they are\n" +
    "published (needs the network). Needs helm.",
  flags: {
    out: { type: "string", value: "dir", help: "the directory (default out/charts)" },
    pull: { type: "boolean", help: "pull every chart and CRD bundle from where it is published" },
  },
} satisfies Command;

let out = path.join(ROOT, "out", "charts");

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): string {
  return execFileSync(command, args, { cwd, env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/**
 * A writable copy of the chart's folder and its siblings (the module cache is read-only), with its
 * `file://` dependencies built into charts/, as the release pipeline packages it. Returns the chart's copy.
 */
function chartWithDependencies(chartDir: string, into: string): string {
  fs.cpSync(path.dirname(chartDir), into, { recursive: true });
  run("chmod", ["-R", "u+w", into], into);
  const chart = path.join(into, path.basename(chartDir));
  run("helm", ["dependency", "build", chart, "--skip-refresh"], into);
  return chart;
}

function packageFromModule(ref: ChartRef): void {
  const target = packagedChartFile(out, ref);
  if (fs.existsSync(target)) return console.log(`  ${path.basename(target)}: already packaged`);
  const module = ref.goModule!;
  const staging = fs.mkdtempSync(path.join(os.tmpdir(), "ai-mesh-helm-package-"));
  const built = path.join(staging, "package");
  try {
    const source = module.localDependencies
      ? chartWithDependencies(path.join(moduleDir(module), module.dir), path.join(staging, "source"))
      : path.join(moduleDir(module), module.dir);
    const stamp = module.stampVersion ? ["--version", ref.version, "--app-version", ref.version] : [];
    run("helm", ["package", source, "--destination", built, ...stamp], staging);
    const [file] = fs.readdirSync(built);
    // The module's chart must be the pinned release, not whatever its Chart.yaml says today.
    if (file !== path.basename(target)) {
      throw new Error(
        `${module.path}@${module.version}/${module.dir} packages as ${file}, not the pinned ${path.basename(target)}`,
      );
    }
    fs.copyFileSync(path.join(built, file), target);
    console.log(`  ${file}: packaged from ${module.path}@${module.version}/${module.dir}`);
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

/** A CRD bundle: the module's CRD files joined as one multi-document YAML, as the release asset is. */
function manifestFromModule(ref: ManifestRef): void {
  const target = path.join(out, ref.file);
  if (fs.existsSync(target)) return console.log(`  ${ref.file}: already written`);
  const dir = moduleDir(ref.goModule);
  const documents = ref.goModule.files.map((file) => fs.readFileSync(path.join(dir, file), "utf8").trim());
  fs.writeFileSync(target, `${documents.map((d) => (d.startsWith("---") ? d : `---\n${d}`)).join("\n")}\n`);
  console.log(`  ${ref.file}: ${ref.goModule.files.length} files of ${ref.goModule.path}@${ref.goModule.version}`);
}

/** The release asset of a CRD bundle (needs the network). */
async function downloadManifest(ref: ManifestRef): Promise<void> {
  const target = path.join(out, ref.file);
  if (fs.existsSync(target)) return;
  const response = await fetch(ref.url);
  if (!response.ok) throw new Error(`${ref.url}: HTTP ${response.status}`);
  fs.writeFileSync(target, await response.text());
  console.log(`  ${ref.file}: downloaded from ${ref.url}`);
}

/** `helm pull` of the pinned version from its upstream repository (OCI or an index). */
function pull(ref: ChartRef): void {
  const target = packagedChartFile(out, ref);
  if (fs.existsSync(target)) return;
  const source = ref.repo.startsWith("oci://") ? [`${ref.repo}/${ref.chart}`] : [ref.chart, "--repo", ref.repo];
  run("helm", ["pull", ...source, "--version", ref.version, "--destination", out], out);
  if (!fs.existsSync(target))
    throw new Error(`helm pull of ${ref.chart} ${ref.version} wrote no ${path.basename(target)}`);
  console.log(`  ${path.basename(target)}: pulled from ${ref.repo}`);
}

async function main(pullAll: boolean): Promise<void> {
  fs.mkdirSync(out, { recursive: true });
  const shared = process.env.AI_MESH_CHARTS;
  if (shared && path.resolve(shared) !== out) {
    for (const file of fs.readdirSync(shared).filter((f) => f.endsWith(".tgz"))) {
      const link = path.join(out, file);
      if (!fs.existsSync(link)) fs.symlinkSync(path.join(path.resolve(shared), file), link);
    }
    console.log(`  linked the charts of ${shared}`);
  }
  const pinned: ChartRef[] = [
    ...ISTIO_CHARTS.map((chart) => istioChart(chart, DEFAULT_ISTIO_VERSION)),
    ...Object.values(CHARTS),
  ];
  // Online, every chart comes from where it is published; offline, Go modules are the source.
  if (pullAll) {
    for (const ref of pinned) pull(ref);
    for (const ref of Object.values(CRD_MANIFESTS)) await downloadManifest(ref);
  } else {
    for (const ref of pinned) if (ref.goModule) packageFromModule(ref);
    for (const ref of Object.values(CRD_MANIFESTS)) manifestFromModule(ref);
  }
  console.log(`charts in ${path.relative(ROOT, out) || out}: export AI_MESH_CHARTS=${out}`);
}

runCommand(
  command,
  async (flags) => {
    out = path.resolve(ROOT, flags.out ?? out);
    await main(flags.pull ?? false);
    return 0;
  },
  (error) => console.error(error instanceof Error ? error.message : error),
);
