// Starting services on loopback for tests, with their logs captured rather than printed.
import { createServer, type IncomingMessage, type Server } from "node:http";
import { connect, type AddressInfo } from "node:net";
import { createLogger } from "../../common/log";
import { createMetrics } from "../../common/metrics";
import type { Service, ServiceBasics } from "../../common/server";

export interface Captured extends ServiceBasics {
  lines: Record<string, unknown>[];
}

export function captured(name: string): Captured {
  const lines: Record<string, unknown>[] = [];
  const identity = { name, version: "test", port: 0 };
  return {
    identity,
    lines,
    log: createLogger({
      service: name,
      version: "test",
      level: "debug",
      write: (line) => lines.push(JSON.parse(line)),
    }),
    metrics: createMetrics({ service: name, version: "test" }),
  };
}

/** What to stop once a test file is done: servers, sessions. Run it from one top-level after(). */
export class Cleanup {
  private readonly steps: (() => Promise<void>)[] = [];

  add(step: () => Promise<void>): void {
    this.steps.push(step);
  }

  async run(): Promise<void> {
    for (const step of this.steps.splice(0).reverse()) await step();
  }
}

/** Listens on a free loopback port until the cleanup runs. */
export async function listen(service: Service, cleanup: Cleanup): Promise<string> {
  const url = await service.listen(0, "127.0.0.1");
  cleanup.add(() => service.shutdown("test over"));
  return url;
}

export interface Recorded {
  url: string;
  requests: { method: string; path: string; headers: IncomingMessage["headers"]; body: Buffer }[];
  /** Requests counted as they arrive, before their body: one that never finishes still counts. */
  arrivals: { count: number };
  server: Server;
}

export interface Answer {
  status: number;
  headers?: Record<string, string>;
  body: Buffer | string;
}

/** A plain HTTP server answering with `respond`, recording what it received. */
export async function fakeServer(
  respond: (req: IncomingMessage, body: Buffer) => Answer | Promise<Answer>,
  cleanup: Cleanup,
): Promise<Recorded> {
  const requests: Recorded["requests"] = [];
  const arrivals = { count: 0 };
  const server = createServer(async (req, res) => {
    arrivals.count++;
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of req) chunks.push(chunk as Buffer);
    } catch {
      return; // the caller gave up on the upload (a refused body, a timeout): nothing to answer
    }
    const body = Buffer.concat(chunks);
    requests.push({ method: req.method ?? "", path: req.url ?? "", headers: req.headers, body });
    const answer = await respond(req, body);
    res.writeHead(answer.status, answer.headers ?? {});
    res.end(answer.body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanup.add(() => new Promise((resolve) => server.close(() => resolve())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, arrivals, server };
}

/** A loopback port nothing listens on (fetch refuses well-known ones such as 9 outright). */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** From the first byte sent to the answer's end (or the connection's). */
  ms: number;
  /** When the server closed the connection (the client keeps sending after the answer until then). */
  closed: Promise<number>;
}

/**
 * A slow client: POSTs `size` bytes declared up front, `chunk` bytes every `everyMs`, reading the
 * answer whenever it comes (a plain socket, so nothing buffers or retries on its behalf), and going
 * on sending after it until the server closes the connection.
 */
export function trickle(
  url: string,
  headers: Record<string, string>,
  size: number,
  chunk = 10,
  everyMs = 100,
): Promise<RawAnswer> {
  const { hostname, port, pathname } = new URL(url);
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const socket = connect(Number(port), hostname);
    const head = Object.entries({ host: `${hostname}:${port}`, "content-length": String(size), ...headers })
      .map(([name, value]) => `${name}: ${value}\r\n`)
      .join("");
    socket.write(`POST ${pathname} HTTP/1.1\r\n${head}\r\n`);
    let sent = 0;
    const drip = setInterval(() => {
      if (sent >= size || socket.destroyed) return clearInterval(drip);
      const bytes = Math.min(chunk, size - sent);
      sent += bytes;
      socket.write(Buffer.alloc(bytes, 0x41));
    }, everyMs);
    let received = Buffer.alloc(0);
    let answered = false;
    let onClose!: (ms: number) => void;
    const closed = new Promise<number>((resolve) => (onClose = resolve));
    // Done once the answer is whole (its Content-Length read), or when the connection closes.
    const answer = (): RawAnswer | undefined => {
      const text = received.toString("latin1");
      const end = text.indexOf("\r\n\r\n");
      if (end < 0) return undefined;
      const [statusLine, ...fields] = text.slice(0, end).split("\r\n");
      const headers = Object.fromEntries(
        fields.map((field) => {
          const colon = field.indexOf(":");
          return [field.slice(0, colon).toLowerCase(), field.slice(colon + 1).trim()];
        }),
      );
      const body = text.slice(end + 4);
      if (body.length < Number(headers["content-length"] ?? 0)) return undefined;
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine)?.[1]);
      return { status, headers, body, ms: Date.now() - started, closed };
    };
    socket.on("data", (data: Buffer) => {
      received = Buffer.concat([received, data]);
      const whole = answered ? undefined : answer();
      if (whole) {
        answered = true;
        resolve(whole);
      }
    });
    socket.on("error", () => undefined); // a reset: what was read decides
    socket.on("close", () => {
      clearInterval(drip);
      onClose(Date.now() - started);
      if (answered) return;
      const whole = answer();
      if (whole) resolve(whole);
      else reject(new Error(`no whole HTTP answer, got ${JSON.stringify(received.toString("latin1").slice(0, 200))}`));
    });
  });
}
