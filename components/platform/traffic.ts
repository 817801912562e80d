// Canary weights and traffic settings → Istio route, subset and traffic-policy objects.
// Pure functions: no resources, so every rule is unit-testable on plain data.
import type { LoadBalancerConfig, ServiceConfig } from "../config";

export interface Subset {
  name: string;
  labels: { version: string };
}

export interface RouteDestination {
  destination: { host: string; subset: string; port: { number: number } };
  weight: number;
}

export interface HttpRoute {
  name: string;
  route: RouteDestination[];
  timeout: string;
  retries?: { attempts: number; perTryTimeout: string; retryOn: string };
  mirror?: { host: string; subset: string; port: { number: number } };
  mirrorPercentage?: { value: number };
  fault?: {
    delay?: { fixedDelay: string; percentage: { value: number } };
    abort?: { httpStatus: number; percentage: { value: number } };
  };
}

/** The port every AI service's Kubernetes Service exposes; pods listen on config `port`. */
export const SERVICE_PORT = 80;

/** One subset per declared version, matched by the `version` pod label. */
export function subsets(service: ServiceConfig): Subset[] {
  return service.versions.map((v) => ({ name: v.name, labels: { version: v.name } }));
}

/** Version → weight exactly as configured. */
export function effectiveWeights(service: ServiceConfig): Record<string, number> {
  return Object.fromEntries(service.versions.map((v) => [v.name, v.weight]));
}

export function loadBalancerPolicy(lb: LoadBalancerConfig): Record<string, unknown> {
  if (typeof lb === "string") return { simple: lb };
  return { consistentHash: lb.consistentHash };
}

export function trafficPolicy(service: ServiceConfig): Record<string, unknown> {
  const pool = service.connectionPool;
  const outlier = service.outlierDetection;
  return {
    tls: { mode: "ISTIO_MUTUAL" },
    loadBalancer: loadBalancerPolicy(service.loadBalancer),
    connectionPool: {
      tcp: { maxConnections: pool.maxConnections },
      http: {
        http1MaxPendingRequests: pool.http1MaxPendingRequests,
        http2MaxRequests: pool.http2MaxRequests,
        // 0 means unlimited in config; Istio wants the field absent for that.
        ...(pool.maxRequestsPerConnection > 0 ? { maxRequestsPerConnection: pool.maxRequestsPerConnection } : {}),
      },
    },
    outlierDetection: {
      consecutive5xxErrors: outlier.consecutive5xxErrors,
      interval: outlier.interval,
      baseEjectionTime: outlier.baseEjectionTime,
      maxEjectionPercent: outlier.maxEjectionPercent,
    },
  };
}

/** The weighted route to a service's versions, with its timeout, retries, mirror and faults. */
export function httpRoute(host: string, service: ServiceConfig): HttpRoute {
  const port = { number: SERVICE_PORT };
  const route: HttpRoute = {
    name: "canary",
    route: service.versions.map((v) => ({ destination: { host, subset: v.name, port }, weight: v.weight })),
    timeout: service.timeout,
  };
  if (service.retries) {
    const { attempts, perTryTimeout, retryOn } = service.retries;
    route.retries = { attempts, perTryTimeout, retryOn };
  }
  if (service.mirror) {
    route.mirror = { host, subset: service.mirror.version, port };
    route.mirrorPercentage = { value: service.mirror.percent };
  }
  const fault = service.faultInjection;
  if (fault) {
    route.fault = {
      ...(fault.delay
        ? { delay: { fixedDelay: fault.delay.fixedDelay, percentage: { value: fault.delay.percent } } }
        : {}),
      ...(fault.abort
        ? { abort: { httpStatus: fault.abort.httpStatus, percentage: { value: fault.abort.percent } } }
        : {}),
    };
  }
  return route;
}
