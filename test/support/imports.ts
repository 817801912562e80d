// The project's own import graph, read by the TypeScript compiler's pre-processor: every import,
// export-from and dynamic import of a relative module, type-only ones included.
import * as fs from "fs";
import * as path from "path";
import ts from "typescript";
import { ROOT } from "../../cli/project";

/** Product code: everything but tests, dependencies and the services package (its own project). */
export const PRODUCT_DIRS = ["components", "plan", "automation", "canary", "cli", "scripts", "policy"];

function sources(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "node_modules" ? [] : sources(relative);
    return /\.(ts|cjs)$/.test(entry.name) ? [relative] : [];
  });
}

export function productFiles(): string[] {
  return [...PRODUCT_DIRS.flatMap(sources), "index.ts"];
}

/** File → the project files it imports (relative specifiers resolved to .ts files or folder indexes). */
export function importGraph(files = productFiles().filter((f) => f.endsWith(".ts"))): Map<string, string[]> {
  const known = new Set(files);
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const { importedFiles } = ts.preProcessFile(fs.readFileSync(path.join(ROOT, file), "utf8"), true, true);
    const targets = importedFiles
      .map((imported) => imported.fileName)
      .filter((specifier) => specifier.startsWith("."))
      .map((specifier) => {
        const base = path.normalize(path.join(path.dirname(file), specifier));
        return [`${base}.ts`, path.join(base, "index.ts")].find((candidate) => known.has(candidate));
      })
      .filter((target): target is string => target !== undefined);
    graph.set(file, [...new Set(targets)]);
  }
  return graph;
}

/** The cycles of a graph: its strongly connected components of more than one file (Tarjan). */
export function cycles(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (node: string) => {
    index.set(node, next);
    low.set(node, next++);
    stack.push(node);
    onStack.add(node);
    for (const target of graph.get(node) ?? []) {
      if (!index.has(target)) {
        visit(target);
        low.set(node, Math.min(low.get(node)!, low.get(target)!));
      } else if (onStack.has(target)) low.set(node, Math.min(low.get(node)!, index.get(target)!));
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      const selfImport = graph.get(node)?.includes(node);
      if (component.length > 1 || selfImport) found.push(component.sort());
    }
  };
  for (const node of graph.keys()) if (!index.has(node)) visit(node);
  return found;
}

/**
 * Imports that break the layering of components/: `siblings`, a feature folder importing another
 * feature folder; `upward`, a file outside the features and the composition (or a feature) importing
 * a feature or the composition. Product code outside components/ (plan, canary, scripts) sits above.
 */
export function layerOffences(
  graph: Map<string, string[]>,
  features: string[],
  composition: string[],
): { siblings: string[]; upward: string[] } {
  const featureOf = (file: string) => features.find((prefix) => file.startsWith(prefix));
  const inComposition = (file: string) => composition.some((prefix) => file.startsWith(prefix));
  const siblings: string[] = [];
  const upward: string[] = [];
  for (const [file, targets] of graph) {
    if (!file.startsWith("components/") || inComposition(file)) continue;
    const own = featureOf(file);
    for (const target of targets) {
      const targetFeature = featureOf(target);
      if (own && targetFeature && targetFeature !== own) siblings.push(`${file} → ${target}`);
      else if (inComposition(target) || (!own && targetFeature)) upward.push(`${file} → ${target}`);
    }
  }
  return { siblings, upward };
}
