// The house: product code never imports tests, and the README's file map is the tree.
import * as fs from "fs";
import * as path from "path";
import { ROOT } from "../plan/engine";

function sources(dir: string): string[] {
  return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === "node_modules" ? [] : sources(relative);
    return /\.(ts|cjs)$/.test(entry.name) ? [relative] : [];
  });
}

describe("the house", () => {
  it("has no product file importing from test/", () => {
    const product = ["components", "plan", "automation", "canary", "scripts", "policy"]
      .flatMap(sources)
      .concat("index.ts");
    const offenders = product.filter((file) =>
      /from\s+["'][./]*test\/|require\(["'][./]*test\//.test(fs.readFileSync(path.join(ROOT, file), "utf8")),
    );
    expect(product.length).toBeGreaterThan(50);
    expect(offenders).toEqual([]);
  });

  it("lists in the README's layout every top-level folder and every layer of components/, and nothing else", () => {
    const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
    const block = readme.slice(readme.indexOf("## Layout")).split("```")[1];
    const listed = block
      .split("\n")
      .map((line) => /^(\s*)([\w.-]+\/)/.exec(line))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => (m[1].length > 0 ? `components/${m[2]}` : m[2]));
    const dirs = (dir: string) =>
      fs
        .readdirSync(path.join(ROOT, dir), { withFileTypes: true })
        .filter((e) => e.isDirectory() && !e.name.startsWith(".") && !["node_modules", "out", "bin"].includes(e.name))
        .map((e) => `${dir ? `${dir}/` : ""}${e.name}/`);
    expect([...listed].sort()).toEqual([...dirs(""), ...dirs("components")].sort());
  });
});
