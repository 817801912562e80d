// A quiet install: every dependency install script has a recorded decision (allowScripts), each explained
// in the README, and none ran in the installed tree; the engines ask for an npm that enforces the
// denials; no project .npmrc sets a key npm does not know, and what scripts require is declared.
import * as fs from "fs";
import * as path from "path";
import { ROOT } from "../cli/project";

const PROJECTS = [".", "policy", "services"];
const json = (file: string) => JSON.parse(fs.readFileSync(path.join(ROOT, file), "utf8"));

/** Packages of a lockfile that have an install script (npm records `hasInstallScript`), by name. */
function withInstallScripts(project: string): Map<string, string> {
  const lock = json(path.join(project, "package-lock.json"));
  const found = new Map<string, string>();
  for (const [key, entry] of Object.entries<{ version: string; hasInstallScript?: boolean }>(lock.packages)) {
    if (key === "" || !entry.hasInstallScript) continue; // "" is the project itself (its own postinstall)
    found.set(key.slice(key.lastIndexOf("node_modules/") + "node_modules/".length), entry.version);
  }
  return found;
}

describe("a quiet install", () => {
  it.each(PROJECTS)("%s: allowScripts decides every install script in the lockfile, and nothing else", (project) => {
    const decided = json(path.join(project, "package.json")).allowScripts ?? {};
    expect(Object.keys(decided).sort()).toEqual([...withInstallScripts(project).keys()].sort());
  });

  it("no install script runs: each one is denied, for the reason the README gives", () => {
    const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
    const section = readme.slice(readme.indexOf("What `npm ci` runs"), readme.indexOf("`npm run plan` runs the real"));
    expect(section.length).toBeGreaterThan(0);
    for (const project of PROJECTS) {
      for (const [name, allowed] of Object.entries(json(path.join(project, "package.json")).allowScripts)) {
        expect([name, allowed]).toEqual([name, false]);
        expect(section).toContain(`\`${name}\``);
      }
    }
  });

  it("no project .npmrc: onnxruntime-node's CUDA download is off because its script is denied", () => {
    for (const project of PROJECTS) expect(fs.existsSync(path.join(ROOT, project, ".npmrc"))).toBe(false);
    expect(json("services/package.json").allowScripts["onnxruntime-node"]).toBe(false);
    // The GPU image runs the script on purpose, with the switch onnxruntime-node documents.
    const dockerfile = fs.readFileSync(path.join(ROOT, "services", "docker", "object-detector.Dockerfile"), "utf8");
    expect(dockerfile).toContain(
      "&& ONNXRUNTIME_NODE_INSTALL=${ONNXRUNTIME_PROVIDERS} node node_modules/onnxruntime-node/script/install",
    );
    expect(dockerfile).not.toContain("--onnxruntime-node-install");
    for (const file of fs.readdirSync(path.join(ROOT, "services", "docker"))) {
      expect(fs.readFileSync(path.join(ROOT, "services", "docker", file), "utf8")).not.toContain(".npmrc");
    }
  });

  // What the denials leave on disk after npm ci (which ran before the tests): with a script approved
  // (npm approve-scripts), esbuild's links its native binary over bin/esbuild, and onnxruntime-node's
  // downloads the CUDA providers its install-metadata.js lists into its bin folder.
  it.each([".", "services"])("%s: esbuild's bin is still its JavaScript wrapper, not the native binary", (project) => {
    const bin = fs.readFileSync(path.join(ROOT, project, "node_modules", "esbuild", "bin", "esbuild"));
    expect(bin.subarray(0, 20).toString()).toBe("#!/usr/bin/env node\n");
  });

  it("onnxruntime-node has no CUDA provider library: its download did not run", () => {
    const ort = path.join(ROOT, "services", "node_modules", "onnxruntime-node");
    const metadata = fs.readFileSync(path.join(ort, "script", "install-metadata.js"), "utf8");
    const cuda = [...new Set(metadata.match(/libonnxruntime_providers_\w+\.so/g))].sort();
    expect(cuda).toEqual([
      "libonnxruntime_providers_cuda.so",
      "libonnxruntime_providers_shared.so",
      "libonnxruntime_providers_tensorrt.so",
    ]);
    const bin = path.join(ort, "bin", "napi-v6", `${process.platform}`, `${process.arch}`);
    expect(fs.readdirSync(bin).sort()).toEqual(["libonnxruntime.so.1", "onnxruntime_binding.node"]);
  });

  it("esbuild, which scripts/run.cjs requires, is a declared devDependency at the locked version", () => {
    expect(fs.readFileSync(path.join(ROOT, "scripts", "run.cjs"), "utf8")).toContain('require("esbuild")');
    const locked = json("package-lock.json").packages["node_modules/esbuild"].version;
    expect(json("package.json").devDependencies.esbuild).toBe(locked);
    expect(locked).toBe("0.28.2");
  });
});
