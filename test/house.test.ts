// The house: the import graph has no cycle; its layers read top-down (a file imports only its own
// layer or those below, and the two kinds of service, HTTP services and models, stand side by side
// without importing each other); product code never imports tests; every product file says its job in
// its first line; and the README's map of where things live is the tree, in the same order.
import * as fs from "fs";
import * as path from "path";
import { ROOT } from "../cli/project";
import { cycles, importGraph, layerOffences, productFiles, type Layers } from "./support/imports";

/**
 * The layers, top-down. A file may import its own folder and any layer below its own; folders that
 * share a layer are siblings and never import each other. Files in no layer (index.ts, preflight.ts,
 * plan/, canary/, automation/ (it runs the program), scripts/, the policy pack) stand above them all.
 */
const LAYERS: Layers = [
  ["components/platform/"], // the composition: builds both kinds of service from config
  ["components/http/", "components/inference/"], // the two kinds of service, siblings
  ["components/workload/", "components/cost/"], // the kit every workload shares; what the stack costs
  ["components/capacity/"],
  ["components/observability/"],
  ["components/mesh/"],
  ["components/cluster/"],
  ["components/charts/"],
  ["cli/"],
  ["components/config/"], // the ground floor: config, core, policy/shared
  ["components/core/"],
  ["policy/shared/"],
];

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

  it("keeps every layer free of imports from the layers above it, the ground floor included", () => {
    expect(layerOffences(graph, LAYERS).upward).toEqual([]);
  });

  it("keeps HTTP services and models side by side: neither kind imports the other", () => {
    expect(layerOffences(graph, LAYERS).siblings).toEqual([]);
  });

  it("fails each layer rule when it is broken on purpose", () => {
    const before = layerOffences(graph, LAYERS);
    /** The offences one added import brings, beyond those the tree already has. */
    const added = (from: string, to: string) => {
      const copy = new Map([...graph].map(([file, targets]) => [file, [...targets]]));
      copy.get(from)!.push(to);
      const after = layerOffences(copy, LAYERS);
      return {
        siblings: after.siblings.filter((o) => !before.siblings.includes(o)),
        upward: after.upward.filter((o) => !before.upward.includes(o)),
      };
    };
    type Offences = ReturnType<typeof layerOffences>;
    const sibling = (from: string, to: string): Offences => ({ siblings: [`${from} → ${to}`], upward: [] });
    const upward = (from: string, to: string): Offences => ({ siblings: [], upward: [`${from} → ${to}`] });
    const cases: [string, string, typeof sibling][] = [
      // a model reaching for an HTTP service's route builder, and the reverse
      ["components/inference/routing.ts", "components/http/traffic.ts", sibling],
      ["components/http/aiService.ts", "components/inference/routing.ts", sibling],
      // lower layers reaching up: the mesh or observability into a feature, the kit into the composition
      ["components/mesh/values.ts", "components/inference/routing.ts", upward],
      ["components/observability/alerts.ts", "components/http/rateLimit.ts", upward],
      ["components/workload/podSpec.ts", "components/platform/aiPlatform.ts", upward],
      ["components/http/traffic.ts", "components/platform/aiPlatform.ts", upward],
      ["components/capacity/demand.ts", "components/workload/podSpec.ts", upward],
      ["cli/table.ts", "components/http/traffic.ts", upward],
      // the ground floor importing from above it
      ["components/core/names.ts", "components/config/index.ts", upward],
      ["components/config/index.ts", "components/mesh/values.ts", upward],
      ["policy/shared/gpu.ts", "components/core/names.ts", upward],
    ];
    for (const [from, to, kind] of cases) {
      expect([graph.has(from), graph.has(to)]).toEqual([true, true]);
      expect(added(from, to)).toEqual(kind(from, to));
    }
  });

  it("keeps the README's table in the layers' order, top-down", () => {
    const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("## Where things live"));
    const rows = [...section.matchAll(/^\| [^|]*\| `([\w./-]+\/)` /gm)].map((m) => m[1]);
    const layered = LAYERS.flat().filter((folder) => folder.startsWith("components/"));
    expect(rows.filter((folder) => layered.includes(folder))).toEqual(layered);
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
