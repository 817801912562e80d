// .ci/chromium: the browser test's chromium, installed with apt-get (non-interactively, through sudo
// when not root) where it is missing, or a failure naming what to install; nothing done when it is there.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ROOT } from "../cli/project";

/** A machine of fakes: `id -u` prints `uid`, apt-get and sudo (where present) log how they were called. */
function machine(options: { uid: number; aptGet: boolean; sudo: boolean; chromium?: boolean }) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "ci-chromium-"));
  const bin = path.join(root, "bin");
  fs.mkdirSync(bin);
  const log = path.join(root, "calls.log");
  const script = (name: string, body: string) => fs.writeFileSync(path.join(bin, name), body, { mode: 0o755 });
  for (const real of ["bash", "env"]) fs.symlinkSync(execPath(real), path.join(bin, real));
  script("id", `#!/bin/sh\necho ${options.uid}\n`);
  if (options.aptGet) script("apt-get", `#!/bin/sh\necho "apt-get $* DEBIAN_FRONTEND=$DEBIAN_FRONTEND" >> ${log}\n`);
  if (options.sudo) script("sudo", `#!/bin/sh\necho "sudo $*" >> ${log}\nexec "$@"\n`);
  const chromium = path.join(root, "chromium");
  if (options.chromium) script("../chromium", "#!/bin/sh\n");
  const result = spawnSync(path.join(ROOT, ".ci", "chromium"), {
    env: { PATH: bin, CHROMIUM_PATH: chromium },
    encoding: "utf8",
  });
  const calls = fs.existsSync(log) ? fs.readFileSync(log, "utf8").trim().split("\n") : [];
  return { status: result.status, stderr: result.stderr, calls, chromium };
}

function execPath(name: string): string {
  for (const dir of ["/usr/bin", "/bin"]) if (fs.existsSync(path.join(dir, name))) return path.join(dir, name);
  throw new Error(`no ${name} in /usr/bin or /bin`);
}

describe(".ci/chromium", () => {
  it("does nothing when chromium is there", () => {
    expect(machine({ uid: 1000, aptGet: true, sudo: true, chromium: true })).toMatchObject({
      status: 0,
      stderr: "",
      calls: [],
    });
  });

  it("installs it with apt-get, non-interactively, as root", () => {
    expect(machine({ uid: 0, aptGet: true, sudo: false })).toMatchObject({
      status: 0,
      stderr: "installing chromium with apt-get\n",
      calls: [
        "apt-get update DEBIAN_FRONTEND=noninteractive",
        "apt-get install -y chromium DEBIAN_FRONTEND=noninteractive",
      ],
    });
  });

  it("goes through sudo when not root", () => {
    expect(machine({ uid: 1000, aptGet: true, sudo: true })).toMatchObject({
      status: 0,
      stderr: "installing chromium with sudo apt-get\n",
      calls: [
        "sudo env DEBIAN_FRONTEND=noninteractive apt-get update",
        "apt-get update DEBIAN_FRONTEND=noninteractive",
        "sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y chromium",
        "apt-get install -y chromium DEBIAN_FRONTEND=noninteractive",
      ],
    });
  });

  it("fails naming what to install when it cannot: no sudo and not root, or no apt-get", () => {
    const noSudo = machine({ uid: 1000, aptGet: true, sudo: false });
    expect(noSudo).toMatchObject({ status: 1, calls: [] });
    expect(noSudo.stderr).toBe(
      `npm run test:browser needs Chromium at ${noSudo.chromium}; installing it takes root, and there is no sudo: run apt-get install chromium as root, or set CHROMIUM_PATH to a Chromium binary\n`,
    );
    const noApt = machine({ uid: 0, aptGet: false, sudo: true });
    expect(noApt).toMatchObject({ status: 1, calls: [] });
    expect(noApt.stderr).toBe(
      `npm run test:browser needs Chromium at ${noApt.chromium} and there is no apt-get to install it: install Chromium (Debian and Ubuntu: apt-get install chromium), or set CHROMIUM_PATH to its binary\n`,
    );
  });

  it("is what the CI run calls before the browser test", () => {
    const run = fs.readFileSync(path.join(ROOT, ".ci", "run"), "utf8");
    expect(run).toContain("\n.ci/chromium\n");
    expect(run.indexOf("\n.ci/chromium\n")).toBeLessThan(run.indexOf("npm run test:browser\n"));
    expect(run).not.toContain("apt-get install");
  });
});
