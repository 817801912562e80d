// The house: the import graph has no cycle, the ground floor imports nothing above it, the two kinds of
// service (HTTP services, models) stand side by side under the composition and above everything else,
// product code never imports tests, every product file says its job in its first line, and the
// README's map of where things live is the tree.
import * as fs from "fs";
import * as path from "path";
import { ROOT } from "../cli/project";
import { cycles, importGraph, layerOffences, productFiles } from "./support/imports";

/** Folders whose files may import only each other and what is listed: the ground floor. */
const FLOORS: Record<string, string[]> = {
  "components/core/": ["components/core/", "policy/shared/"],
  "components/config/": ["components/config/", "components/core/", "policy/shared/"],
  "policy/shared/": ["policy/shared/"],
};

/** The kinds of service: siblings, neither importing the other. */
const FEATURES = ["components/http/", "components/inference/"];
/** What builds both kinds from config: only it (and the composition root) may import a feature. */
const COMPOSITION = ["components/platform/", "components/preflight.ts", "index.ts"];

describe("the house", () => {
  const graph = importGraph();

  it("has no import cycle, type-only imports included", () => {
    expect(graph.size).toBeGreaterThan(80);
    expect(cycles(graph)).toEqual([]);
  });

  it("finds a cycle when there is one (the check itself can fail)", () => {
    const looped = new Map([
      ["a.ts", ["b.ts"]],
      ["b.ts", ["c.ts"]],
      ["c.ts", ["a.ts"]],
      ["d.ts", ["a.ts"]],
    ]);
    expect(cycles(looped)).toEqual([["a.ts", "b.ts", "c.ts"]]);
  });

  it("keeps the ground floor (core, config, policy/shared) free of imports from above it", () => {
    const offences = [...graph].flatMap(([file, targets]) => {
      const floor = Object.keys(FLOORS).find((prefix) => file.startsWith(prefix));
      if (!floor) return [];
      return targets
        .filter((target) => !FLOORS[floor].some((allowed) => target.startsWith(allowed)))
        .map((target) => `${file} → ${target}`);
    });
    expect(offences).toEqual([]);
  });

  it("keeps HTTP services and models side by side: neither kind imports the other", () => {
    expect(layerOffences(graph, FEATURES, COMPOSITION).siblings).toEqual([]);
  });

  it("keeps every lower layer (kit, mesh, observability, capacity, ...) free of imports from a feature or the composition", () => {
    expect(layerOffences(graph, FEATURES, COMPOSITION).upward).toEqual([]);
  });

  it("fails each layer rule when it is broken on purpose", () => {
    const broken = (from: string, to: string) => {
      const copy = new Map([...graph].map(([file, targets]) => [file, [...targets]]));
      copy.get(from)!.push(to);
      return layerOffences(copy, FEATURES, COMPOSITION);
    };
    // a model reaching for an HTTP service's route builder, and the reverse
    expect(broken("components/inference/routing.ts", "components/http/traffic.ts").siblings).toEqual([
      "components/inference/routing.ts → components/http/traffic.ts",
    ]);
    expect(broken("components/http/aiService.ts", "components/inference/routing.ts").siblings).toEqual([
      "components/http/aiService.ts → components/inference/routing.ts",
    ]);
    // the mesh taking a name from a feature, the kit from the composition, observability from a feature
    expect(broken("components/mesh/values.ts", "components/inference/routing.ts").upward).toEqual([
      "components/mesh/values.ts → components/inference/routing.ts",
    ]);
    expect(broken("components/workload/podSpec.ts", "components/platform/aiPlatform.ts").upward).toEqual([
      "components/workload/podSpec.ts → components/platform/aiPlatform.ts",
    ]);
    expect(broken("components/observability/alerts.ts", "components/http/rateLimit.ts").upward).toEqual([
      "components/observability/alerts.ts → components/http/rateLimit.ts",
    ]);
    // a feature reaching up into the composition is upward too
    expect(broken("components/http/traffic.ts", "components/platform/aiPlatform.ts").upward).toEqual([
      "components/http/traffic.ts → components/platform/aiPlatform.ts",
    ]);
  });

  it("has no product file importing from test/", () => {
    const product = productFiles();
    const offenders = product.filter((file) =>
      /from\s+["'][./]*test\/|require\(["'][./]*test\//.test(fs.readFileSync(path.join(ROOT, file), "utf8")),
    );
    expect(product.length).toBeGreaterThan(80);
    expect(offenders).toEqual([]);
  });

  it("starts every product file with a comment line saying its job", () => {
    const servicesCode = ["common", "web", "image-processor", "object-detector"].flatMap((dir) =>
      fs
        .readdirSync(path.join(ROOT, "services", dir))
        .filter((name) => name.endsWith(".ts"))
        .map((name) => path.join("services", dir, name)),
    );
    const silent = [...productFiles(), ...servicesCode].filter((file) => {
      const first = fs.readFileSync(path.join(ROOT, file), "utf8").split("\n")[0];
      return !/^\/\/ \S.{10,}/.test(first);
    });
    expect(silent).toEqual([]);
  });

  it("maps in the README's 'Where things live' every top-level folder and every layer of components/, and nothing else", () => {
    const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("## Where things live"));
    const table = section.slice(0, section.indexOf("\n## ", 1));
    const listed = [...table.matchAll(/^\| [^|]*\| `([\w./-]+\/)` /gm)].map((m) => m[1]);
    const dirs = (dir: string) =>
      fs
        .readdirSync(path.join(ROOT, dir), { withFileTypes: true })
        .filter((e) => e.isDirectory() && !e.name.startsWith(".") && !["node_modules", "out", "bin"].includes(e.name))
        .map((e) => `${dir ? `${dir}/` : ""}${e.name}/`);
    expect([...listed].sort()).toEqual([...dirs(""), ...dirs("components")].sort());
  });
});
