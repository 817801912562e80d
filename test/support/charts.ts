// The packaged charts of ../shared/tools ($AI_MESH_CHARTS): which value keys a chart really has
// (its values.yaml, subcharts and dependency conditions, and what its templates read), and
// `helm template` of a release with the values the program sends.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { toYaml } from "../../components/core/yaml";
import { runOrExplain } from "./tools";

type Values = Record<string, unknown>;

const isMap = (value: unknown): value is Values => value !== null && typeof value === "object" && !Array.isArray(value);

interface Chart {
  defaults: Values;
  /** Every template's text: what `.Values.…` the chart reads. */
  templates: string;
  /** Dependency conditions from Chart.yaml, e.g. "nfd.enabled". */
  conditions: string[];
  /** Subcharts by the name (or alias) their values live under. */
  subcharts: Record<string, Chart>;
}

function readTree(dir: string): string {
  if (!fs.existsSync(dir)) return "";
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .map((entry) => {
      const full = path.join(dir, entry.name);
      return entry.isDirectory() ? readTree(full) : fs.readFileSync(full, "utf8");
    })
    .join("\n");
}

function loadChart(dir: string): Chart {
  const valuesFile = path.join(dir, "values.yaml");
  const own = (fs.existsSync(valuesFile) ? (parse(fs.readFileSync(valuesFile, "utf8")) ?? {}) : {}) as Values;
  const meta = parse(fs.readFileSync(path.join(dir, "Chart.yaml"), "utf8")) as {
    dependencies?: { name: string; alias?: string; condition?: string }[];
  };
  const subcharts: Record<string, Chart> = {};
  // A library chart's templates are included by this chart and read this chart's values (GIE v1.4.0's
  // inferencepool renders the picker from epplib's templates).
  const libraries: string[] = [];
  const chartsDir = path.join(dir, "charts");
  for (const sub of fs.existsSync(chartsDir) ? fs.readdirSync(chartsDir) : []) {
    const subDir = path.join(chartsDir, sub);
    if (!fs.existsSync(path.join(subDir, "Chart.yaml"))) continue;
    const subMeta = parse(fs.readFileSync(path.join(subDir, "Chart.yaml"), "utf8")) as { name: string; type?: string };
    if (subMeta.type === "library") {
      libraries.push(readTree(path.join(subDir, "templates")));
      continue;
    }
    const alias = meta.dependencies?.find((d) => d.name === subMeta.name)?.alias ?? subMeta.name;
    subcharts[alias] = loadChart(subDir);
  }
  return {
    // Istio 1.22+ charts keep their defaults under this key and descope it at render time.
    defaults: isMap(own._internal_defaults_do_not_set) ? own._internal_defaults_do_not_set : own,
    templates: [readTree(path.join(dir, "templates")), ...libraries].join("\n"),
    conditions: (meta.dependencies ?? []).flatMap((d) => (d.condition ?? "").split(",")).filter(Boolean),
    subcharts,
  };
}

/** Loads a packaged chart (.tgz) with its subcharts. */
export function packagedChart(tgz: string): Chart {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ai-mesh-chart-"));
  try {
    runOrExplain("tar", ["-xzf", tgz, "-C", dir], dir);
    const [top] = fs.readdirSync(dir);
    return loadChart(path.join(dir, top));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** `.Values.a.b` read exactly, or (wholesale) with nothing more after it. */
function reads(chart: Chart, keys: string[], wholesale: boolean): boolean {
  const tail = wholesale ? "(?![\\w.])" : "(?![\\w])";
  return new RegExp(`\\.Values\\.${keys.map(escape).join("\\.")}${tail}`).test(chart.templates);
}

function defaultAt(chart: Chart, keys: string[]): unknown {
  return keys.reduce<unknown>((value, key) => (isMap(value) ? value[key] : undefined), chart.defaults);
}

/** Whether a key path is free-form: under a map the chart consumes whole, or an empty/null default. */
function freeForm(chart: Chart, keys: string[]): boolean {
  for (let i = 1; i < keys.length; i++) {
    const prefix = keys.slice(0, i);
    const value = defaultAt(chart, prefix);
    if (value === null || (isMap(value) && Object.keys(value).length === 0)) return true;
    if (reads(chart, prefix, true)) return true;
  }
  return false;
}

function known(chart: Chart, keys: string[]): boolean {
  const [first, ...rest] = keys;
  if (chart.subcharts[first] && rest.length > 0 && known(chart.subcharts[first], rest)) return true;
  if (chart.subcharts[first] && rest.length === 0) return true;
  return (
    defaultAt(chart, keys) !== undefined ||
    chart.conditions.includes(keys.join(".")) ||
    reads(chart, keys, false) ||
    freeForm(chart, keys)
  );
}

/** Paths in `values` that the chart neither declares nor reads. */
export function unknownKeys(values: unknown, chart: Chart, at: string[] = []): string[] {
  if (!isMap(values)) return [];
  return Object.entries(values).flatMap(([key, value]) => {
    const keys = [...at, key];
    if (!known(chart, keys)) return [keys.join(".")];
    return freeForm(chart, keys) ? [] : unknownKeys(value, chart, keys);
  });
}

/** `helm template` of a packaged chart with the given values; the rendered objects. */
export function helmTemplate(tgz: string, release: string, namespace: string, values: unknown): Values[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ai-mesh-helm-"));
  try {
    fs.writeFileSync(path.join(dir, "values.yaml"), toYaml(values));
    const out = runOrExplain(
      "helm",
      ["template", release, tgz, "--namespace", namespace, "--values", "values.yaml", "--kube-version", "1.34.0"],
      dir,
    );
    return out
      .split(/^---$/m)
      .map((doc) => parse(doc) as Values | null)
      .filter((doc): doc is Values => isMap(doc) && typeof doc.kind === "string");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
