// Runs web, image-processor and object-detector on this machine, wired as the mesh wires them: each
// a process of its own (its main.ts through tsx) on a loopback port, web's upstream URLs pointing at
// the other two. Ready once all three are (object-detector: its model loaded); a model that cannot
// be had, or a service that dies, stops the rest; stop() ends all three and waits for them, and so
// does the abort signal at any moment before they are ready (a launcher told to stop while starting).
import { spawn, type ChildProcess } from "child_process";
import * as net from "net";
import * as path from "path";
import { modelFailure, modelHelp, type LocalModel, type ModelStatus } from "./localModel";
import { ROOT } from "./project";

const SERVICES_DIR = path.join(ROOT, "services");
const HOST = "127.0.0.1";
/** Past the services' own 20 s drain: a process still there then is killed, never left behind. */
const STOP_DEADLINE_MS = 25_000;

export interface LocalService {
  name: "web" | "image-processor" | "object-detector";
  url: string;
  child: ChildProcess;
  exited: Promise<number | null>;
}

export class LaunchError extends Error {}

/** A port the OS says is free on loopback now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer().once("error", reject);
    server.listen(0, HOST, () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Refuses a port something already listens on, before three processes are started for nothing. */
export function checkPortFree(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = net
      .createServer()
      .once("error", (error: NodeJS.ErrnoException) =>
        reject(
          new LaunchError(
            error.code === "EADDRINUSE"
              ? `port ${port} is in use on ${HOST}: choose another with npm run services -- --port <port>`
              : `cannot listen on ${HOST}:${port}: ${error.message}`,
          ),
        ),
      );
    server.listen(port, HOST, () => server.close(() => resolve()));
  });
}

/** One JSON log line as a person reads it: `web             info  request method=POST status=200`. */
export function logLine(name: string, line: string): string {
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return `${name.padEnd(16)}${line}`;
  }
  const { level, msg, ...fields } = record;
  const rest = Object.entries(fields)
    .filter(([key]) => !["time", "service", "version"].includes(key))
    .map(([key, value]) => `${key}=${typeof value === "string" ? value : JSON.stringify(value)}`);
  return [`${name.padEnd(16)}${String(level).padEnd(6)}${String(msg)}`, ...rest].join(" ");
}

function start(
  name: LocalService["name"],
  port: number,
  env: Record<string, string>,
  print: (line: string) => void,
): LocalService {
  const child = spawn(process.execPath, ["--import", "tsx", path.join(name, "main.ts")], {
    cwd: SERVICES_DIR,
    env: { ...process.env, ...env, PORT: String(port), HOST, SERVICE_NAME: name, SERVICE_VERSION: "local" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  for (const stream of [child.stdout!, child.stderr!]) {
    let buffered = "";
    stream.on("data", (chunk: Buffer) => {
      const lines = (buffered + chunk.toString()).split("\n");
      buffered = lines.pop()!;
      for (const line of lines) if (line.trim()) print(logLine(name, line));
    });
  }
  // "close", not "exit": its last log lines are printed by then.
  const exited = new Promise<number | null>((resolve) => child.once("close", (code) => resolve(code)));
  return { name, url: `http://${HOST}:${port}`, child, exited };
}

async function readiness(url: string): Promise<{ ready: boolean; model?: ModelStatus }> {
  try {
    const response = await fetch(`${url}/ready`);
    const body = (await response.json()) as { model?: ModelStatus };
    return { ready: response.ok, model: body.model };
  } catch {
    return { ready: false };
  }
}

export interface Launched {
  services: LocalService[];
  /**
   * Stops all three: SIGTERM to each still running, after `graceMs` to let a signal they already have
   * (a terminal's Ctrl-C reaches the whole process group) be the one they stop on.
   */
  stop(graceMs?: number): Promise<void>;
}

/** The message launch() rejects with when its signal aborts it. */
const LAUNCH_ABORTED = "stopped before the three were ready";

/**
 * Starts the three; resolves when all are ready, rejects (with all stopped) when that cannot happen
 * or when `signal` aborts first.
 */
export async function launch(options: {
  webPort: number;
  model: LocalModel;
  print: (line: string) => void;
  signal?: AbortSignal;
}): Promise<Launched> {
  await checkPortFree(options.webPort);
  const [processorPort, detectorPort] = [await freePort(), await freePort()];
  if (options.signal?.aborted) throw new LaunchError(LAUNCH_ABORTED);
  const processor = start("image-processor", processorPort, {}, options.print);
  const detector = start("object-detector", detectorPort, options.model.env, options.print);
  const web = start(
    "web",
    options.webPort,
    { IMAGE_PROCESSOR_URL: processor.url, OBJECT_DETECTOR_URL: detector.url },
    options.print,
  );
  const services = [web, processor, detector];
  let stopping: Promise<void> | undefined;
  const stop = (graceMs = 0) =>
    (stopping ??= (async () => {
      const allExited = Promise.all(services.map((service) => service.exited));
      if (graceMs > 0) await Promise.race([allExited, new Promise((resolve) => setTimeout(resolve, graceMs))]);
      for (const service of services) if (service.child.exitCode === null) service.child.kill("SIGTERM");
      const deadline = setTimeout(() => {
        for (const service of services) if (service.child.exitCode === null) service.child.kill("SIGKILL");
      }, STOP_DEADLINE_MS);
      await Promise.all(services.map((service) => service.exited));
      clearTimeout(deadline);
    })());

  // A service that exits before all are ready ends the launch; so does a model that cannot be had.
  const died = Promise.race(
    services.map(async (service) => {
      const code = await service.exited;
      return `${service.name} exited with code ${code} before it was ready (its log is above)`;
    }),
  );
  // Until ready, the caller has no stop() of its own: its abort ends the three here.
  const aborted = new Promise<string>((resolve) => {
    if (options.signal?.aborted) resolve(LAUNCH_ABORTED);
    options.signal?.addEventListener("abort", () => resolve(LAUNCH_ABORTED), { once: true });
  });
  let done = false;
  const ready = (async () => {
    for (;;) {
      const states = await Promise.all(services.map((service) => readiness(service.url)));
      if (done) return undefined;
      // Each failed attempt is already in object-detector's log above (warn, with its cause).
      const failure = modelFailure(states[2].model);
      if (failure !== undefined) return modelHelp(options.model, failure);
      if (states.every((state) => state.ready)) return undefined;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  })();
  const problem = await Promise.race([died, ready, aborted]);
  done = true;
  if (problem !== undefined) {
    await stop();
    throw new LaunchError(problem);
  }
  return { services, stop };
}
