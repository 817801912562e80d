// `npm run charts -- [--out DIR] [--pull]`: one directory of packaged charts for offline installs (the
// e2e run, air-gapped mirrors): the charts of $AI_MESH_CHARTS (linked), plus every pinned chart whose
// source sits in a Go module (`helm package` of `go mod download`; needs go) — or, with --pull, every
// pinned chart from its public repository (`helm pull`; needs the network). Needs helm.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { CHARTS, ISTIO_CHARTS, istioChart, packagedChartFile, type ChartRef } from "../components/charts/pins";
import { DEFAULT_ISTIO_VERSION } from "../components/config/schema";
import { argument, hasFlag } from "../cli/args";
import { ROOT } from "../cli/project";

const out = path.resolve(ROOT, argument("out", path.join("out", "charts")));

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): string {
  return execFileSync(command, args, { cwd, env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** The module's directory in the module cache (downloaded through the Go module proxy if need be). */
function moduleDir(module: NonNullable<ChartRef["goModule"]>): string {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "ai-mesh-gomod-"));
  try {
    const info = JSON.parse(
      run("go", ["mod", "download", "-json", `${module.path}@${module.version}`], scratch, {
        ...process.env,
        GOFLAGS: "-mod=mod",
      }),
    ) as { Dir?: string; Error?: string };
    if (!info.Dir) throw new Error(`go mod download ${module.path}@${module.version}: ${info.Error ?? "no directory"}`);
    return info.Dir;
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

function packageFromModule(ref: ChartRef): void {
  const target = packagedChartFile(out, ref);
  if (fs.existsSync(target)) return console.log(`  ${path.basename(target)}: already packaged`);
  const module = ref.goModule!;
  const source = path.join(moduleDir(module), module.dir);
  const staging = fs.mkdtempSync(path.join(os.tmpdir(), "ai-mesh-helm-package-"));
  try {
    run("helm", ["package", source, "--destination", staging], staging);
    const [built] = fs.readdirSync(staging);
    // The module's chart must be the pinned release, not whatever its Chart.yaml says today.
    if (built !== path.basename(target)) {
      throw new Error(
        `${module.path}@${module.version}/${module.dir} packages as ${built}, not the pinned ${path.basename(target)}`,
      );
    }
    fs.copyFileSync(path.join(staging, built), target);
    console.log(`  ${built}: packaged from ${module.path}@${module.version}/${module.dir}`);
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
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

function main(): void {
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
  if (hasFlag("pull")) for (const ref of pinned) pull(ref);
  else for (const ref of pinned) if (ref.goModule) packageFromModule(ref);
  console.log(`charts in ${path.relative(ROOT, out) || out}: export AI_MESH_CHARTS=${out}`);
}

main();
