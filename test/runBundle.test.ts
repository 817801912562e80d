// scripts/run.cjs runs what the source says now: a rebuilt bundle never runs the previous bundle's
// code from V8's code cache, even when the two are the same length (V8 checks only the length).
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ROOT } from "../cli/project";

const RUN = path.join(ROOT, "scripts", "run.cjs");
const CACHE = path.join(ROOT, "node_modules", ".cache", "ai-mesh");

describe("scripts/run.cjs", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "run-bundle-"));
  const name = `runBundleProbe${process.pid}`;
  const entry = path.join(dir, `${name}.ts`);
  const run = () => execFileSync(process.execPath, [RUN, entry], { encoding: "utf8" }).trim();
  const write = (word: string, secondsAhead: number) => {
    fs.writeFileSync(
      entry,
      `// probe\nexport function word(): string {\n  return "${word}";\n}\nconsole.log(word());\n`,
    );
    const when = new Date(Date.now() + secondsAhead * 1000);
    fs.utimesSync(entry, when, when);
  };
  const cached = () => fs.readdirSync(CACHE).filter((f) => f.startsWith(`${name}.`));
  afterAll(() => {
    for (const file of fs.existsSync(CACHE) ? cached() : []) fs.rmSync(path.join(CACHE, file), { force: true });
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("runs a same-length edit's new code, not the old bundle's cached code", () => {
    write("AAAA", 0);
    expect(run()).toBe("AAAA");
    expect(run()).toBe("AAAA"); // from the code cache the first run wrote
    expect(cached().filter((f) => f.endsWith(".v8cache"))).toHaveLength(1);
    write("BBBB", 5);
    expect(run()).toBe("BBBB");
    // The old bundle's cache went with it; the new one has its own.
    expect(run()).toBe("BBBB");
    expect(cached().filter((f) => f.endsWith(".v8cache"))).toHaveLength(1);
  });
});
