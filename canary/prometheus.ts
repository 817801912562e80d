// Instant queries against Prometheus: over HTTP (--prometheus URL), or through the Kubernetes API
// server's service proxy with kubectl and the stack's kubeconfig (no port-forward to manage).
import { execFile } from "child_process";
import type { Metrics } from "./verdict";
import type { VersionQueries } from "./queries";

/** How long one query may take before it counts as failed (and is retried). */
export const QUERY_TIMEOUT_MS = 10_000;

/** One instant query: the first sample's value, or null when the result is empty or NaN. */
export type Query = (expr: string) => Promise<number | null>;

interface QueryResponse {
  status: string;
  error?: string;
  data?: { result: { value: [number, string] }[] };
}

function firstValue(body: QueryResponse, expr: string): number | null {
  if (body.status !== "success") throw new Error(`Prometheus rejected ${expr}: ${body.error ?? body.status}`);
  const value = Number(body.data?.result[0]?.value[1]);
  return Number.isFinite(value) ? value : null;
}

export function httpQuery(baseUrl: string): Query {
  return async (expr) => {
    const base = baseUrl.replace(/\/+$/, "");
    const url = `${base}/api/v1/query?query=${encodeURIComponent(expr)}`;
    let response: Response;
    try {
      response = await fetch(url, { signal: AbortSignal.timeout(QUERY_TIMEOUT_MS) });
    } catch (error) {
      const cause = (error as { cause?: { message?: string } }).cause?.message ?? (error as Error).message;
      throw new Error(`Prometheus at ${base} is unreachable: ${cause}`);
    }
    if (!response.ok && response.status !== 400) throw new Error(`Prometheus answered ${response.status} for ${url}`);
    return firstValue((await response.json()) as QueryResponse, expr);
  };
}

export interface InCluster {
  kubeconfig?: string;
  context?: string;
  namespace: string;
  service: string;
  port: number;
  /** The kubectl to run (default: kubectl on PATH). */
  kubectl?: string;
  /** How long one query may take (default QUERY_TIMEOUT_MS). */
  timeoutMs?: number;
}

/**
 * Queries through the API server's service proxy. Every query has a deadline: an API server that
 * accepts and never answers must not hold a canary step half way (a missed deadline is a failed
 * query, retried and then an outage, like Prometheus down). kubectl is told the deadline too, and
 * killed if it outlives it.
 */
export function kubectlQuery(target: InCluster): Query {
  const timeoutMs = target.timeoutMs ?? QUERY_TIMEOUT_MS;
  const base = `/api/v1/namespaces/${target.namespace}/services/${target.service}:${target.port}/proxy/api/v1/query`;
  const prometheus = `Prometheus ${target.namespace}/${target.service} (through the API server with kubectl)`;
  return (expr) =>
    new Promise((resolve, reject) => {
      const args = [
        ...(target.kubeconfig ? ["--kubeconfig", target.kubeconfig] : []),
        ...(target.context ? ["--context", target.context] : []),
        `--request-timeout=${Math.ceil(timeoutMs / 1000)}s`,
        "get",
        "--raw",
        `${base}?query=${encodeURIComponent(expr)}`,
      ];
      const child = execFile(
        target.kubectl ?? "kubectl",
        args,
        { maxBuffer: 16 * 1024 * 1024 },
        (error, stdout, stderr) => {
          clearTimeout(deadline);
          if (error) {
            const cause = stderr.trim().split("\n")[0] || error.message.split("\n")[0];
            return reject(new Error(`${prometheus} failed: ${cause}`));
          }
          try {
            resolve(firstValue(JSON.parse(stdout) as QueryResponse, expr));
          } catch (failure) {
            reject(failure as Error);
          }
        },
      );
      const deadline = setTimeout(() => {
        child.kill("SIGKILL");
        reject(new Error(`${prometheus} did not answer within ${timeoutMs / 1000} s`));
      }, timeoutMs);
    });
}

export async function measure(query: Query, queries: VersionQueries): Promise<Metrics> {
  const [requests, successRate, p99Ms] = await Promise.all([
    query(queries.requests),
    query(queries.successRate),
    query(queries.p99Ms),
  ]);
  return { requests: requests ?? 0, successRate, p99Ms };
}
