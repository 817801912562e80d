// Where a pinned Go module's files are on this machine: `go mod download` (through the Go module proxy,
// or from the module cache) of an exact version. Used by `npm run charts` and the CRD schemas.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

/** The module's directory in the module cache (downloaded if need be). Needs go. */
export function moduleDir(module: { path: string; version: string }): string {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "ai-mesh-gomod-"));
  try {
    const output = execFileSync("go", ["mod", "download", "-json", `${module.path}@${module.version}`], {
      cwd: scratch,
      env: { ...process.env, GOFLAGS: "-mod=mod" },
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    });
    const info = JSON.parse(output) as { Dir?: string; Error?: string };
    if (!info.Dir) throw new Error(`go mod download ${module.path}@${module.version}: ${info.Error ?? "no directory"}`);
    return info.Dir;
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}
