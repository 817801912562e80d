// Trace context the sidecars need the application to copy from the request it received onto the
// requests it makes, so Jaeger joins the spans of all three services into one trace
// (https://istio.io/latest/docs/tasks/observability/distributed-tracing/overview/).
import type { IncomingHttpHeaders } from "node:http";
import { randomUUID } from "node:crypto";

export const TRACE_HEADERS = [
  "traceparent",
  "tracestate",
  // W3C Baggage: key-value context (tenant, experiment) that travels with the trace.
  "baggage",
  "x-request-id",
  "x-b3-traceid",
  "x-b3-spanid",
  "x-b3-parentspanid",
  "x-b3-sampled",
  "x-b3-flags",
  "b3",
  "x-ot-span-context",
  "x-cloud-trace-context",
] as const;

/** The trace headers of an incoming request, ready to send downstream. */
export function traceHeaders(incoming: IncomingHttpHeaders): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const name of TRACE_HEADERS) {
    const value = incoming[name];
    if (typeof value === "string" && value !== "") headers[name] = value;
  }
  return headers;
}

/** The request id Envoy set (or a new one when called without a sidecar), for logs. */
export function requestId(incoming: IncomingHttpHeaders): string {
  const value = incoming["x-request-id"];
  return typeof value === "string" && value !== "" ? value : randomUUID();
}

/** The trace id, from W3C traceparent or B3, so a log line leads to its trace in Jaeger. */
export function traceId(incoming: IncomingHttpHeaders): string | undefined {
  const parent = incoming.traceparent;
  if (typeof parent === "string") {
    const match = /^[\da-f]{2}-([\da-f]{32})-[\da-f]{16}-[\da-f]{2}$/.exec(parent);
    if (match) return match[1];
  }
  const b3 = incoming["x-b3-traceid"];
  if (typeof b3 === "string" && /^[\da-f]{16,32}$/.test(b3)) return b3;
  const single = incoming.b3;
  if (typeof single === "string") return /^([\da-f]{16,32})-/.exec(single)?.[1];
  return undefined;
}
