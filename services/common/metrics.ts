// Prometheus metrics for a service: the process and Node.js runtime, and its HTTP requests by route.
// Istio merges these into the sidecar's :15020 scrape (prometheus.io annotations on the pod).
import { Counter, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export interface HttpMetrics {
  registry: Registry;
  requests: Counter<"method" | "route" | "code">;
  duration: Histogram<"method" | "route">;
}

export function createMetrics(labels: { service: string; version: string }): HttpMetrics {
  const registry = new Registry();
  registry.setDefaultLabels(labels);
  collectDefaultMetrics({ register: registry });
  return {
    registry,
    requests: new Counter({
      name: "http_server_requests_total",
      help: "HTTP requests handled, by method, route and status code.",
      labelNames: ["method", "route", "code"],
      registers: [registry],
    }),
    duration: new Histogram({
      name: "http_server_request_duration_seconds",
      help: "Time to handle an HTTP request, by method and route.",
      labelNames: ["method", "route"],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
  };
}
