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

/** Layers top-down; each a list of folder prefixes that are siblings. */
export type Layers = string[][];

/**
 * Imports that break the layering: `upward`, a file importing a layer above its own (or a file in no
 * layer, which stands above them all); `siblings`, a folder importing another folder of its own layer.
 */
export function layerOffences(graph: Map<string, string[]>, layers: Layers): { siblings: string[]; upward: string[] } {
  const place = (file: string) => {
    for (const [depth, folders] of layers.entries()) {
      const folder = folders.find((prefix) => file.startsWith(prefix));
      if (folder) return { depth, folder };
    }
    return undefined;
  };
  const siblings: string[] = [];
  const upward: string[] = [];
  for (const [file, targets] of graph) {
    const own = place(file);
    if (!own) continue;
    for (const target of targets) {
      const theirs = place(target);
      if (!theirs || theirs.depth < own.depth) upward.push(`${file} → ${target}`);
      else if (theirs.depth === own.depth && theirs.folder !== own.folder) siblings.push(`${file} → ${target}`);
    }
  }
  return { siblings, upward };
}
