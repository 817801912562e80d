// The HTTP server every service runs: its routes, plus /healthz, /ready and /metrics, an access log,
// per-route metrics, and a graceful shutdown that finishes the requests in flight.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { InFlightLimit } from "./admission";
import type { ServiceIdentity } from "./env";
import { HttpError, send, sendJson } from "./http";
import type { Logger } from "./log";
import type { HttpMetrics } from "./metrics";
import { requestId, traceHeaders, traceId } from "./trace";

export interface RequestContext {
  log: Logger;
  /** Trace headers (and the request id) to send on every downstream call. */
  downstreamHeaders: Record<string, string>;
}

export interface Route {
  method: "GET" | "POST";
  path: string;
  handle(req: IncomingMessage, res: ServerResponse, ctx: RequestContext): Promise<void> | void;
}

export interface Readiness {
  ready: boolean;
  reason?: string;
  /** Fields a program may act on (object-detector's model attempts), beside the reason people read. */
  detail?: Record<string, unknown>;
}

/** What every service is built with: who it is, where it logs, where its metrics go. */
export interface ServiceBasics {
  identity: ServiceIdentity;
  log: Logger;
  metrics: HttpMetrics;
}

export interface ServiceOptions extends ServiceBasics {
  routes: Route[];
  /** Whether the service can take traffic (object-detector: once its model is loaded). */
  readiness?: () => Readiness;
  /** How long shutdown waits for requests in flight before closing their connections. */
  shutdownTimeoutMs?: number;
  /** Requests the service's routes may have in flight; more get 503 + Retry-After (probes never do). */
  maxInFlight?: number;
}

export interface Service {
  server: Server;
  listen(port: number, host?: string): Promise<string>;
  shutdown(reason: string): Promise<void>;
}

const PROBES = new Set(["/healthz", "/ready", "/metrics"]);

/** How long the body of a refused request is still read (and dropped) before its connection is closed. */
export const LINGER_MS = 2000;

/**
 * Reads and drops what is left of a refused body for a moment. Closing a socket with unread bytes
 * resets the connection, and a client still sending may then never see the answer (a 503, 408, 413);
 * a client that keeps sending past LINGER_MS is cut off.
 */
function dropRest(req: IncomingMessage): void {
  const timer = setTimeout(() => {
    if (!req.complete) req.socket.destroy();
  }, LINGER_MS);
  timer.unref();
  req.once("end", () => clearTimeout(timer));
  req.resume();
}

export function createService(options: ServiceOptions): Service {
  const { log, metrics } = options;
  const readiness = options.readiness ?? (() => ({ ready: true }));
  let draining = false;

  const builtIn: Route[] = [
    { method: "GET", path: "/healthz", handle: (_req, res) => sendJson(res, 200, { status: "ok" }) },
    {
      method: "GET",
      path: "/ready",
      handle: (_req, res) => {
        if (draining) return sendJson(res, 503, { status: "draining" });
        const state = readiness();
        if (state.ready) return sendJson(res, 200, { status: "ready" });
        return sendJson(res, 503, { status: "not ready", reason: state.reason ?? "starting", ...state.detail });
      },
    },
    {
      method: "GET",
      path: "/metrics",
      handle: async (_req, res) => send(res, 200, metrics.registry.contentType, await metrics.registry.metrics()),
    },
  ];
  const routes = [...builtIn, ...options.routes];
  const inFlight = new InFlightLimit(options.maxInFlight ?? Number.MAX_SAFE_INTEGER);

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    const method = req.method ?? "GET";
    const path = new URL(req.url ?? "/", "http://service").pathname;
    const onPath = routes.filter((route) => route.path === path);
    const route = onPath.find((candidate) => candidate.method === method);
    const id = requestId(req.headers);
    const ctx: RequestContext = {
      log: log.child({ requestId: id, traceId: traceId(req.headers), method, path }),
      downstreamHeaders: { ...traceHeaders(req.headers), "x-request-id": id },
    };
    // The id this request is logged and traced under, for whoever has to find it.
    res.setHeader("x-request-id", id);
    let leave: (() => void) | undefined;
    try {
      if (route) {
        if (!PROBES.has(path)) leave = inFlight.enter();
        await route.handle(req, res, ctx);
      } else if (onPath.length > 0) {
        throw new HttpError(405, `${method} is not allowed on ${path}`, {
          allow: onPath.map((candidate) => candidate.method).join(", "),
        });
      } else throw new HttpError(404, `no route for ${method} ${path}`);
    } catch (error) {
      if (res.headersSent) res.destroy(error as Error);
      else if (error instanceof HttpError) sendJson(res, error.status, { error: error.message }, error.headers);
      else {
        ctx.log.error("request failed", { error });
        sendJson(res, 500, { error: "internal error" });
      }
      if (!req.complete) dropRest(req);
    } finally {
      leave?.();
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const routeLabel = onPath.length > 0 ? path : "unmatched";
      metrics.requests.inc({ method, route: routeLabel, code: String(res.statusCode) });
      metrics.duration.observe({ method, route: routeLabel }, seconds);
      if (!PROBES.has(path)) {
        ctx.log.info("request", { status: res.statusCode, durationMs: Math.round(seconds * 1000) });
      }
    }
  }

  const server = createServer((req, res) => {
    // A keep-alive connection whose request finishes during shutdown is closed rather than left
    // idle, so server.close() does not wait for the deadline.
    const socket = req.socket;
    res.once("finish", () => {
      if (draining) socket.end();
    });
    void handle(req, res);
  });
  // Envoy keeps upstream connections open; a longer keep-alive than its idle timeout avoids races.
  server.keepAliveTimeout = 65_000;

  return {
    server,
    listen(port, host = "0.0.0.0") {
      return new Promise((resolve, reject) => {
        server.once("error", reject);
        server.listen(port, host, () => {
          server.off("error", reject);
          const address = server.address() as AddressInfo;
          const url = `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${address.port}`;
          log.info("listening", { port: address.port });
          resolve(url);
        });
      });
    },
    shutdown(reason) {
      draining = true;
      log.info("shutting down", { reason });
      const timeoutMs = options.shutdownTimeoutMs ?? 20_000;
      return new Promise((resolve) => {
        const timer = setTimeout(() => {
          log.warn("requests still in flight at the shutdown deadline; closing their connections", { timeoutMs });
          server.closeAllConnections();
        }, timeoutMs);
        timer.unref();
        server.close(() => {
          clearTimeout(timer);
          log.info("stopped");
          resolve();
        });
        server.closeIdleConnections();
      });
    },
  };
}
