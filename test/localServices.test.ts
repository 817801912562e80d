// `npm run services` as a person runs it, in a process group of its own as a terminal would: three
// services on distinct loopback ports, the page and a detection through them, Ctrl-C (SIGINT to the
// group) leaving nothing behind, and so does SIGTERM to the launcher alone while they still start; and
// a model that cannot be had told plainly, with a non-zero exit.
import { spawn } from "child_process";
import * as fs from "fs";
import * as http from "http";
import * as net from "net";
import * as os from "os";
import * as path from "path";
import { freePort } from "../cli/localServices";
import { ROOT } from "../cli/project";
import { RED, solid } from "../services/test/support/images";
import { sha256, tinyDetectorModel } from "../services/test/support/tinyModel";

jest.setTimeout(90_000);

interface Run {
  pgid: number;
  output: () => string;
  exited: Promise<number | null>;
}

const started: Run[] = [];
// A failed test must not leave its services running (nor jest waiting on their pipes).
afterEach(() => {
  for (const leftover of started.splice(0)) {
    if (groupMembers(leftover.pgid).length > 0) process.kill(-leftover.pgid, "SIGKILL");
  }
});

/** `npm run services -- args`, leader of its own process group (what a shell gives a command). */
function run(args: string[], env: Record<string, string>): Run {
  const child = spawn("npm", ["run", "--silent", "services", "--", ...args], {
    cwd: ROOT,
    env: { ...process.env, MODEL_PATH: "", MODEL_URL: "", MODEL_SHA256: "", ...env },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const running: Run = {
    pgid: child.pid!,
    output: () => output,
    exited: new Promise((resolve) => child.once("exit", (code) => resolve(code))),
  };
  started.push(running);
  return running;
}

/** Processes in a process group, from /proc: what would be left behind. */
function groupMembers(pgid: number): string[] {
  return fs.readdirSync("/proc").flatMap((pid) => {
    if (!/^\d+$/.test(pid)) return [];
    try {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      if (Number(fields[2]) !== pgid) return [];
      // The program, from the executable: Node 24 names its main thread "MainThread" in stat/comm.
      return [`${pid} ${path.basename(fs.readlinkSync(`/proc/${pid}/exe`))}`];
    } catch {
      return [];
    }
  });
}

/** The addresses a TCP port is listening on, from /proc/net/tcp and tcp6 (state 0A: LISTEN). */
function listeningOn(port: number): string[] {
  return ["/proc/net/tcp", "/proc/net/tcp6"].flatMap((file) =>
    fs
      .readFileSync(file, "utf8")
      .split("\n")
      .slice(1)
      .map((line) => line.trim().split(/\s+/))
      .filter((fields) => fields[3] === "0A" && Number.parseInt(fields[1]?.split(":")[1] ?? "", 16) === port)
      .map(([, local]) => {
        const hex = local.split(":")[0];
        if (hex.length !== 8) return `[${hex}]`;
        return (hex.match(/../g) ?? [])
          .map((byte) => Number.parseInt(byte, 16))
          .reverse()
          .join(".");
      }),
  );
}

/** A process's parent and environment, from /proc. */
function processInfo(pid: string): { ppid: number; cmdline: string; env: Record<string, string> } {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
  const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
  const split = (file: string) => fs.readFileSync(`/proc/${pid}/${file}`, "utf8").split("\0");
  const env = Object.fromEntries(
    split("environ").map((entry) => [entry.split("=")[0], entry.split("=").slice(1).join("=")]),
  );
  return { ppid, cmdline: split("cmdline").join(" "), env };
}

async function until<T>(what: string, check: () => T | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const refused = (url: string) =>
  fetch(url).then(
    () => false,
    () => true,
  );

describe("npm run services", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "services-"));
  const modelPath = path.join(dir, "tiny-ssd.onnx");
  beforeAll(() => fs.writeFileSync(modelPath, tinyDetectorModel()));

  it("starts the three wired on loopback, serves the page and a detection, and stops all on Ctrl-C", async () => {
    const port = await freePort();
    const services = run(["--port", String(port)], { MODEL_PATH: modelPath });
    const banner = await until(
      "the page's address",
      () =>
        /The upload page: (\S+)\n {2}web +(\S+) .*\n {2}image-processor +(\S+)\n {2}object-detector +(\S+)\n/.exec(
          services.output(),
        ) ?? undefined,
    );
    const [, page, web, processor, detector] = banner;
    expect(page).toBe(`http://127.0.0.1:${port}/`);
    expect(web).toBe(`http://127.0.0.1:${port}`);
    const ports = [web, processor, detector].map((url) => Number(/^http:\/\/127\.0\.0\.1:(\d+)$/.exec(url)?.[1]));
    expect(new Set(ports).size).toBe(3);
    // Listening on loopback only, not on every interface as in a pod.
    expect(ports.map(listeningOn)).toEqual(ports.map(() => ["127.0.0.1"]));
    // The launcher and the three services, all in the group a terminal's Ctrl-C reaches.
    expect(groupMembers(services.pgid).filter((member) => / node$/.test(member)).length).toBeGreaterThanOrEqual(4);

    const html = await (await fetch(page)).text();
    expect(html).toContain("<h1>Find the objects in a photo</h1>");
    const response = await fetch(`${web}/api/detect`, {
      method: "POST",
      headers: { "content-type": "image/png" },
      body: await solid(320, 240, RED),
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { detections: { label: string }[]; model: unknown };
    // The tiny model sees red as a person: the image went through both services to the model given.
    expect(body.detections.map((d) => d.label)).toEqual(["person"]);
    expect(body.model).toEqual({ name: "tiny-ssd.onnx", sha256: sha256(tinyDetectorModel()), provider: "cpu" });
    expect(await (await fetch(`${detector}/ready`)).json()).toEqual({ status: "ready" });

    process.kill(-services.pgid, "SIGINT");
    expect(await services.exited).toBe(0);
    await until("the group to empty", () => (groupMembers(services.pgid).length === 0 ? true : undefined), 30_000);
    for (const url of [web, processor, detector]) expect(await refused(`${url}/healthz`)).toBe(true);
    const output = services.output();
    for (const name of ["web", "image-processor", "object-detector"]) {
      expect(output).toMatch(new RegExp(`^${name} +info +shutting down reason=SIGINT$`, "m"));
      expect(output).toMatch(new RegExp(`^${name} +info +stopped$`, "m"));
    }
    expect(output).toContain("\nCtrl-C: stopping the three services…\n");
    expect(output).toMatch(/\nstopped\n$/);
    expect(output).not.toMatch(/ (warn|error) /);
  });

  it("stops the three on SIGTERM to the launcher alone while the model is still downloading", async () => {
    // A model host that takes the connection and never answers: object-detector is never ready.
    const held: net.Socket[] = [];
    const host = net.createServer((socket) => held.push(socket));
    await new Promise<void>((resolve) => host.listen(0, "127.0.0.1", resolve));
    const { port: hostPort } = host.address() as net.AddressInfo;
    try {
      const services = run(["--port", String(await freePort())], {
        MODEL_URL: `http://127.0.0.1:${hostPort}/models/ssd.onnx`,
        MODEL_SHA256: sha256(tinyDetectorModel()),
        MODEL_CACHE_DIR: path.join(dir, "held"),
      });
      await until("the model download to start", () => (held.length > 0 ? true : undefined));
      const members = groupMembers(services.pgid).map((member) => member.split(" ")[0]);
      const launcher = members.find((pid) => processInfo(pid).cmdline.includes("scripts/services.ts"));
      expect(launcher).toBeDefined();
      // The three services: the launcher's children that run a main.ts (esbuild's may be there too).
      const children = members.filter((pid) => {
        const info = processInfo(pid);
        return info.ppid === Number(launcher) && info.cmdline.includes("main.ts");
      });
      const ports = children.map((pid) => Number(processInfo(pid).env.PORT));
      expect(ports).toHaveLength(3);
      await until("the three to listen", () => (ports.every((p) => listeningOn(p).length > 0) ? true : undefined));
      expect(services.output()).not.toContain("The upload page");

      process.kill(Number(launcher), "SIGTERM");
      expect(await services.exited).toBe(0);
      await until("the group to empty", () => (groupMembers(services.pgid).length === 0 ? true : undefined), 30_000);
      expect(ports.map(listeningOn)).toEqual([[], [], []]);
      const output = services.output();
      expect(output).toContain("\nSIGTERM: stopping the three services…\n");
      for (const name of ["web", "image-processor", "object-detector"]) {
        expect(output).toMatch(new RegExp(`^${name} +info +shutting down reason=SIGTERM$`, "m"));
      }
      expect(output).toMatch(/\nstopped\n$/);
    } finally {
      for (const socket of held) socket.destroy();
      host.close();
    }
  });

  it("says plainly why the model cannot be had (a missing file, a failed download), and exits 1", async () => {
    // Both at once: each starts three services before it finds out.
    const missing = path.join(dir, "none.onnx");
    const closed = await freePort();
    const url = `http://127.0.0.1:${closed}/models/ssd.onnx`;
    const sum = sha256(tinyDetectorModel());
    const [noFile, noHost] = [
      run(["--port", String(await freePort())], { MODEL_PATH: missing }),
      run(["--port", String(await freePort())], {
        MODEL_URL: url,
        MODEL_SHA256: sum,
        MODEL_CACHE_DIR: path.join(dir, "cache"),
        MODEL_RETRY_BASE_MS: "100",
      }),
    ];
    expect(await noFile.exited).toBe(1);
    expect(noFile.output()).toContain(
      [
        `object-detector cannot load the model: MODEL_PATH ${missing} does not exist`,
        "MODEL_PATH must name an ONNX object-detection model file (SSD MobileNet v1's inputs and outputs),",
        "or leave MODEL_PATH unset to download the pinned model.",
      ].join("\n"),
    );
    expect(await noHost.exited).toBe(1);
    expect(noHost.output()).toContain(
      [
        `object-detector cannot get the model: 4 download attempts failed; the last: GET ${url} failed: connect ECONNREFUSED 127.0.0.1:${closed}`,
        `It downloads ${url}`,
        `and loads it only if its SHA-256 is ${sum}.`,
        "Without access to that host, download the file where you can and run:",
        "  MODEL_PATH=/path/to/ssd.onnx npm run services",
      ].join("\n"),
    );
    // Each failed attempt is told as it happens (object-detector's log), before the fourth gives up.
    for (const [attempt, delayMs] of [
      [1, 100],
      [2, 200],
      [3, 400],
      [4, 800],
    ]) {
      expect(noHost.output()).toContain(
        `\nobject-detector warn  model download failed; retrying attempt=${attempt} delayMs=${delayMs} error=GET ${url} failed: connect ECONNREFUSED 127.0.0.1:${closed}\n`,
      );
    }
    expect(noHost.output()).not.toContain("attempt=5");
    // The services it had started are stopped, not left behind.
    expect([...groupMembers(noFile.pgid), ...groupMembers(noHost.pgid)]).toEqual([]);
    expect(noHost.output()).toMatch(/^object-detector +info +stopped$/m);
  });

  it("heals a download cut short: tells the failure, tries again, and serves", async () => {
    const model = tinyDetectorModel();
    let calls = 0;
    // The first answer promises the whole file and stops halfway; the second is whole.
    const host = http.createServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/octet-stream", "content-length": model.length });
      if (++calls === 1) {
        res.write(model.subarray(0, model.length >> 1));
        setTimeout(() => res.destroy(), 50);
      } else res.end(model);
    });
    await new Promise<void>((resolve) => host.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(host.address() as net.AddressInfo).port}/models/ssd.onnx`;
    try {
      const services = run(["--port", String(await freePort())], {
        MODEL_URL: url,
        MODEL_SHA256: sha256(model),
        MODEL_CACHE_DIR: fs.mkdtempSync(path.join(dir, "heal-")),
        MODEL_RETRY_BASE_MS: "100",
      });
      await until("the page's address", () => (/The upload page: /.test(services.output()) ? true : undefined));
      expect(calls).toBe(2);
      expect(services.output()).toMatch(
        /\nobject-detector warn {2}model download failed; retrying attempt=1 delayMs=100 error=GET \S+ failed: .+\n/,
      );
      expect(services.output()).not.toContain("attempt=2");
      process.kill(-services.pgid, "SIGINT");
      expect(await services.exited).toBe(0);
    } finally {
      host.close();
    }
  });

  it("refuses a web port already in use before starting anything", async () => {
    const busy = net.createServer();
    await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve));
    const { port } = busy.address() as net.AddressInfo;
    const services = run(["--port", String(port)], { MODEL_PATH: modelPath });
    expect(await services.exited).toBe(1);
    busy.close();
    expect(services.output()).toContain(
      `\nport ${port} is in use on 127.0.0.1: choose another with npm run services -- --port <port>\n`,
    );
    expect(services.output()).not.toMatch(/listening/);
  });
});
