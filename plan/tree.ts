// The plan's resource tree: components, each with its resources grouped by type and named so that
// the part of each name that differs stays visible; a YAML bundle shows the objects it applies.
import { count as counted } from "../components/core/plural";
import type { RecordedResource } from "./recorder";
import { bundleContents, type BundleObject } from "./bundles";

const CONFIG_FILE = "kubernetes:yaml/v2:ConfigFile";
/** Characters of names shown on one line before the middle of the list is cut. */
export const NAMES_WIDTH = 110;

/** The longest prefix all names share that ends at a separator (`-`, `.`, `/`) and leaves each a remainder. */
function sharedPrefix(names: string[]): string {
  if (names.length < 2) return "";
  let common = names[0];
  for (const name of names) while (!name.startsWith(common)) common = common.slice(0, -1);
  const cut = Math.max(common.lastIndexOf("-"), common.lastIndexOf("."), common.lastIndexOf("/"));
  const prefix = common.slice(0, cut + 1);
  return names.every((name) => name.length > prefix.length) ? prefix : "";
}

/**
 * Names as one short text: the shared prefix written once (`network-{public-0, private-0}`), and when
 * that is still longer than `width`, the middle of the list cut (`… 4 more …`), keeping the first and
 * last names, so each shown name keeps the part that tells it from the others.
 */
export function listNames(names: string[], width = NAMES_WIDTH): string {
  const prefix = sharedPrefix(names);
  const rest = names.map((name) => name.slice(prefix.length));
  const wrap = (items: string[]) => (prefix ? `${prefix}{${items.join(", ")}}` : items.join(", "));
  if (wrap(rest).length <= width) return wrap(rest);
  let head = 1;
  let tail = 1;
  const cut = (h: number, t: number) =>
    wrap([...rest.slice(0, h), `… ${rest.length - h - t} more …`, ...rest.slice(-t)]);
  for (;;) {
    const next = head <= tail ? [head + 1, tail] : [head, tail + 1];
    if (next[0] + next[1] >= rest.length || cut(next[0], next[1]).length > width) break;
    [head, tail] = next;
  }
  // Hiding a single name saves next to nothing: show it.
  return rest.length - head - tail < 2 ? wrap(rest) : cut(head, tail);
}

/** "N × type: names" lines, one per type, in first-seen order. */
function groupLines(items: { type: string; name: string }[]): string[] {
  const byType = new Map<string, string[]>();
  for (const item of items) byType.set(item.type, [...(byType.get(item.type) ?? []), item.name]);
  return [...byType].map(([type, names]) => `${names.length} × ${type}: ${listNames(names)}`);
}

/** A bundle's objects by kind, every one named: CRDs as `group/{Kind, …}` per API group. */
function bundleLines(objects: BundleObject[]): string[] {
  const byKind = new Map<string, string[]>();
  for (const o of objects) byKind.set(o.kind, [...(byKind.get(o.kind) ?? []), o.name]);
  return [...byKind].map(([kind, names]) => {
    if (kind !== "CustomResourceDefinition") return `${names.length} × ${kind}: ${listNames(names, Infinity)}`;
    const byGroup = new Map<string, string[]>();
    for (const name of names) {
      const group = name.slice(0, name.lastIndexOf("/"));
      byGroup.set(group, [...(byGroup.get(group) ?? []), name]);
    }
    return `${names.length} × ${kind}: ${[...byGroup.values()].map((crds) => listNames(crds, Infinity)).join(", ")}`;
  });
}

/** Components as a tree, each listing its direct resources grouped by type with counts. */
export function renderTree(resources: RecordedResource[], contents = bundleContents): string {
  const children = new Map<string | undefined, RecordedResource[]>();
  for (const r of resources) children.set(r.parent, [...(children.get(r.parent) ?? []), r]);
  const countBelow = (r: RecordedResource): number =>
    (children.get(r.urn) ?? []).reduce((n, c) => n + 1 + countBelow(c), 0);

  const lines: string[] = [];
  const walk = (node: RecordedResource, prefix: string, last: boolean, root: boolean) => {
    const branch = root ? "" : last ? "└─ " : "├─ ";
    const inner = root ? "" : prefix + (last ? "   " : "│  ");
    const kids = children.get(node.urn) ?? [];
    // A ConfigFile's objects are registered by the engine when it reads the file: shown, not counted.
    const objects: BundleObject[] | undefined =
      node.type === CONFIG_FILE && kids.length === 0 ? contents(String(node.inputs.file)) : undefined;
    const count =
      node.type !== CONFIG_FILE || kids.length > 0
        ? counted(countBelow(node), "resource")
        : objects
          ? `applies ${counted(objects.length, "object")}`
          : "objects known after deploy";
    lines.push(`${prefix}${branch}${node.name}  ${node.type}  (${count})`);
    const components = kids.filter((k) => !k.custom);
    const groups = [
      ...groupLines(kids.filter((c) => c.custom).map((c) => ({ type: c.type, name: c.name }))),
      ...bundleLines(objects ?? []),
    ];
    const total = groups.length + components.length;
    groups.forEach((group, i) => lines.push(`${inner}${i === total - 1 ? "└─ " : "├─ "}${group}`));
    components.forEach((c, i) => walk(c, inner, groups.length + i === total - 1, false));
  };
  for (const root of children.get(undefined) ?? []) walk(root, "", true, true);
  return lines.join("\n");
}
