// The services as real processes (their main.ts through tsx), as the images run them: env in, JSON
// logs out, SIGTERM to stop.
import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";

const ROOT = join(__dirname, "..", "..");

export interface Running {
  name: string;
  url: string;
  pid: number;
  logs: Record<string, unknown>[];
  stop(): Promise<number | null>;
}

export async function startProcess(name: string, port: number, env: Record<string, string>): Promise<Running> {
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", join(ROOT, name, "main.ts")], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, PORT: String(port), SERVICE_NAME: name, SERVICE_VERSION: "v1", ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const logs: Record<string, unknown>[] = [];
  let buffered = "";
  child.stdout!.on("data", (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split("\n");
    buffered = lines.pop()!;
    for (const line of lines) logs.push(JSON.parse(line));
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(`${name} /healthz`, async () => (await fetch(`${url}/healthz`).catch(() => undefined))?.ok === true);
  return {
    name,
    url,
    pid: child.pid!,
    logs,
    stop() {
      if (child.exitCode === null) child.kill("SIGTERM");
      return exited;
    },
  };
}

export async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
