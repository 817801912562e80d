import { allowedCallers } from "../components/workload/callGraph";
import { parseConfig, type HttpServiceConfig } from "../components/config";
import { localRateLimitPatch } from "../components/http/rateLimit";
import { httpRoute, loadBalancerPolicy, subsets, trafficPolicy } from "../components/http/traffic";
import { configuredWeights } from "../components/core/weights";
import { devRawWith, serviceOf } from "./support/configFixtures";

const HOST = "object-detector.ai.svc.cluster.local";

/** object-detector from the dev stack, with `edit` applied to its raw config. */
function detector(edit: (raw: Record<string, unknown>) => void = () => undefined): HttpServiceConfig {
  return serviceOf(parseConfig(devRawWith((raw) => edit(raw.services.objectDetector))), "objectDetector");
}

describe("httpRoute", () => {
  it("routes to every version with exactly the configured weights, timeout, retries and mirror", () => {
    expect(httpRoute(HOST, detector())).toEqual({
      name: "canary",
      route: [
        { destination: { host: HOST, subset: "v1", port: { number: 80 } }, weight: 90 },
        { destination: { host: HOST, subset: "v2", port: { number: 80 } }, weight: 10 },
        { destination: { host: HOST, subset: "v3", port: { number: 80 } }, weight: 0 },
      ],
      timeout: "10s",
      retries: { attempts: 1, perTryTimeout: "5s", retryOn: "connect-failure,refused-stream" },
      mirror: { host: HOST, subset: "v3", port: { number: 80 } },
      mirrorPercentage: { value: 5 },
    });
  });

  it("handles a 60/30/10 split", () => {
    const service = detector((s) => {
      s.versions = [
        { name: "stable", image: "r/od:1", weight: 60 },
        { name: "next", image: "r/od:2", weight: 30 },
        { name: "edge", image: "r/od:3", weight: 10 },
      ];
      delete s.mirror;
    });
    expect(httpRoute(HOST, service).route.map((d) => [d.destination.subset, d.weight])).toEqual([
      ["stable", 60],
      ["next", 30],
      ["edge", 10],
    ]);
    expect(configuredWeights(service)).toEqual({ stable: 60, next: 30, edge: 10 });
    expect(subsets(service)).toEqual([
      { name: "stable", labels: { version: "stable" } },
      { name: "next", labels: { version: "next" } },
      { name: "edge", labels: { version: "edge" } },
    ]);
  });

  it("injects delay and abort faults with percentages, and no retries", () => {
    const service = detector((s) => {
      delete s.retries;
      s.faultInjection = { delay: { fixedDelay: "2s", percent: 10 }, abort: { httpStatus: 503, percent: 1 } };
    });
    const route = httpRoute(HOST, service);
    expect(route.fault).toEqual({
      delay: { fixedDelay: "2s", percentage: { value: 10 } },
      abort: { httpStatus: 503, percentage: { value: 1 } },
    });
    expect(route.retries).toBeUndefined();
  });
});

describe("traffic policy", () => {
  it("uses ISTIO_MUTUAL, consistent hashing, outlier detection and the connection pool", () => {
    expect(trafficPolicy(detector())).toEqual({
      tls: { mode: "ISTIO_MUTUAL" },
      loadBalancer: { consistentHash: { httpHeaderName: "x-session-id" } },
      connectionPool: {
        tcp: { maxConnections: 100 },
        http: { http1MaxPendingRequests: 100, http2MaxRequests: 1000, maxRequestsPerConnection: 10 },
      },
      outlierDetection: { consecutive5xxErrors: 5, interval: "30s", baseEjectionTime: "60s", maxEjectionPercent: 50 },
    });
  });

  it("leaves maxRequestsPerConnection unset for 0 (unlimited)", () => {
    const pool = trafficPolicy(detector((s) => delete s.connectionPool)).connectionPool as { http: object };
    expect(pool.http).toEqual({ http1MaxPendingRequests: 100, http2MaxRequests: 1000 });
  });

  it("sizes the connection pools from the load when set: the service's total, and each version's own", () => {
    // 40 rps × 0.5 s = 20 in flight; 2 slots per replica: v1 gets 90 % of that, v2 10 %, v3 the 5 % mirror.
    const service = detector((s) => {
      s.load = { peakRps: 40, latencyMs: 500, concurrency: 2, targetUtilization: 50 };
      s.replicas = { min: 1, max: 20 };
      delete s.connectionPool;
    });
    const pools = subsets(service).map((subset) => [subset.name, subset.trafficPolicy?.connectionPool]);
    expect(pools).toEqual([
      ["v1", { tcp: { maxConnections: 40 }, http: { http1MaxPendingRequests: 40, http2MaxRequests: 40 } }],
      ["v2", { tcp: { maxConnections: 4 }, http: { http1MaxPendingRequests: 4, http2MaxRequests: 4 } }],
      ["v3", { tcp: { maxConnections: 2 }, http: { http1MaxPendingRequests: 2, http2MaxRequests: 2 } }],
    ]);
    expect(trafficPolicy(service).connectionPool).toEqual({
      tcp: { maxConnections: 46 },
      http: { http1MaxPendingRequests: 46, http2MaxRequests: 46 },
    });
  });

  it("lets what the stack sets win over the load, field by field", () => {
    const service = detector((s) => {
      s.load = { peakRps: 40, latencyMs: 500, concurrency: 2, targetUtilization: 50 };
      s.replicas = { min: 1, max: 20 };
      s.connectionPool = { http1MaxPendingRequests: 7, maxRequestsPerConnection: 10 };
    });
    expect(subsets(service)[0].trafficPolicy?.connectionPool).toEqual({
      tcp: { maxConnections: 40 },
      http: { http1MaxPendingRequests: 7, http2MaxRequests: 40, maxRequestsPerConnection: 10 },
    });
  });

  it("gives subsets no pool of their own without a load", () => {
    expect(subsets(detector()).map((subset) => subset.trafficPolicy)).toEqual([undefined, undefined, undefined]);
  });

  it("maps every load balancer form", () => {
    expect(loadBalancerPolicy("ROUND_ROBIN")).toEqual({ simple: "ROUND_ROBIN" });
    expect(loadBalancerPolicy({ consistentHash: { httpCookie: { name: "s", ttl: "1h" } } })).toEqual({
      consistentHash: { httpCookie: { name: "s", ttl: "1h" } },
    });
    expect(loadBalancerPolicy({ consistentHash: { useSourceIp: true } })).toEqual({
      consistentHash: { useSourceIp: true },
    });
  });
});

describe("local rate limit", () => {
  it("inserts envoy.filters.http.local_ratelimit on inbound HTTP with the bucket from config", () => {
    const patch = localRateLimitPatch({ requestsPerSecond: 50, burst: 100 }) as any; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(patch.applyTo).toBe("HTTP_FILTER");
    expect(patch.match.context).toBe("SIDECAR_INBOUND");
    expect(patch.patch.operation).toBe("INSERT_BEFORE");
    expect(patch.patch.value.name).toBe("envoy.filters.http.local_ratelimit");
    expect(patch.patch.value.typed_config.token_bucket).toEqual({
      max_tokens: 100,
      tokens_per_fill: 50,
      fill_interval: "1s",
    });
  });
});

describe("call graph", () => {
  it("turns edges into principals with their methods and paths", () => {
    const graph = parseConfig(devRawWith(() => undefined)).callGraph;
    const gateway = "cluster.local/ns/istio-ingress/sa/istio-ingressgateway";
    expect(allowedCallers(graph, "web", "ai", gateway)).toEqual([
      { principal: gateway, methods: ["GET", "POST"], paths: ["/*"] },
    ]);
    expect(allowedCallers(graph, "objectDetector", "ai", gateway)).toEqual([
      { principal: "cluster.local/ns/ai/sa/web", methods: ["POST"], paths: ["/detect"] },
    ]);
  });
});
