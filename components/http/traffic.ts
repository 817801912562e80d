// Canary weights and traffic settings → Istio route, subset and traffic-policy objects.
// Pure functions: no resources, so every rule is unit-testable on plain data.
import { versionLoads, type LoadSizing } from "../capacity/load";
import type { HttpServiceConfig as ServiceConfig, LoadBalancerConfig } from "../config";

export interface Subset {
  name: string;
  labels: { version: string };
  trafficPolicy?: { connectionPool: ConnectionPool };
}

interface ConnectionPool {
  tcp: { maxConnections: number };
  http: { http1MaxPendingRequests: number; http2MaxRequests: number; maxRequestsPerConnection?: number };
}

type PoolLimits = Required<ServiceConfig["connectionPool"]>;

/** Envoy's limits when neither the stack nor the load says otherwise (0: unlimited requests per connection). */
export const CONNECTION_POOL_DEFAULTS: PoolLimits = {
  maxConnections: 100,
  http1MaxPendingRequests: 100,
  http2MaxRequests: 1000,
  maxRequestsPerConnection: 0,
};

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

/** The limits: what the stack sets, else what the load needs, else the defaults. */
function poolLimits(service: ServiceConfig, load?: Pick<LoadSizing, "maxRequests" | "maxPendingRequests">): PoolLimits {
  const set = Object.fromEntries(Object.entries(service.connectionPool).filter(([, value]) => value !== undefined));
  const fromLoad = load && {
    maxConnections: load.maxRequests,
    http2MaxRequests: load.maxRequests,
    http1MaxPendingRequests: load.maxPendingRequests,
  };
  return { ...CONNECTION_POOL_DEFAULTS, ...fromLoad, ...set };
}

function connectionPool(limits: PoolLimits): ConnectionPool {
  return {
    tcp: { maxConnections: limits.maxConnections },
    http: {
      http1MaxPendingRequests: limits.http1MaxPendingRequests,
      http2MaxRequests: limits.http2MaxRequests,
      // 0 means unlimited in config; Istio wants the field absent for that.
      ...(limits.maxRequestsPerConnection > 0 ? { maxRequestsPerConnection: limits.maxRequestsPerConnection } : {}),
    },
  };
}

/** Each version's share of the load, sized (empty without `load`). */
function loads(service: ServiceConfig) {
  return service.load ? versionLoads({ ...service, load: service.load }) : [];
}

/**
 * One subset per declared version, matched by the `version` pod label. With `load`, each subset's
 * connection pool holds what that version's replicas can serve at most, so a 10 % canary with one
 * replica queues and sheds at its own size, not at the whole service's.
 */
export function subsets(service: ServiceConfig): Subset[] {
  const sized = loads(service);
  return service.versions.map((v, i) => ({
    name: v.name,
    labels: { version: v.name },
    ...(sized.length > 0
      ? { trafficPolicy: { connectionPool: connectionPool(poolLimits(service, sized[i].sizing)) } }
      : {}),
  }));
}

export function loadBalancerPolicy(lb: LoadBalancerConfig): Record<string, unknown> {
  if (typeof lb === "string") return { simple: lb };
  return { consistentHash: lb.consistentHash };
}

export function trafficPolicy(service: ServiceConfig): Record<string, unknown> {
  const outlier = service.outlierDetection;
  const sized = loads(service);
  // The whole service: every version's slots together.
  const total = sized.length
    ? {
        maxRequests: sized.reduce((n, v) => n + v.sizing.maxRequests, 0),
        maxPendingRequests: sized.reduce((n, v) => n + v.sizing.maxPendingRequests, 0),
      }
    : undefined;
  return {
    tls: { mode: "ISTIO_MUTUAL" },
    loadBalancer: loadBalancerPolicy(service.loadBalancer),
    connectionPool: connectionPool(poolLimits(service, total)),
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

export interface EdgeTarget {
  host: string;
  service: ServiceConfig;
  /** Paths the call graph lets the ingress gateway use: "/*" (all), "/api/*" (prefix) or exact. */
  paths: string[];
}

type EdgeMatch = { uri?: { prefix: string } | { exact: string }; port?: number };
export type EdgeRoute = HttpRoute & { match?: EdgeMatch[] };

/** Authorization path syntax → a route match; "/*" matches everything (no match at all). */
function edgeMatch(path: string): EdgeMatch | undefined {
  if (path === "/*") return undefined;
  return path.endsWith("*") ? { uri: { prefix: path.slice(0, -1) } } : { uri: { exact: path } };
}

function specificity(match: EdgeMatch | undefined): number {
  if (!match?.uri) return -1;
  return "exact" in match.uri ? Number.MAX_SAFE_INTEGER : match.uri.prefix.length;
}

/**
 * The edge routes: each service the ingress gateway may call gets its paths, with the same canary
 * split, timeout and retries as its in-mesh route. Exact paths first, longer prefixes before
 * shorter ones, a catch-all last: Envoy takes the first route that matches.
 *
 * `port`: the only Gateway server port the routes serve. Istio adds a VirtualService's routes to
 * every server whose hosts it shares, the redirect-only port 80 too, where httpsRedirect only sets
 * the virtual host's require_tls; Envoy then judges "TLS" by X-Forwarded-Proto, which a client
 * could set once a trusted proxy (numTrustedProxies) lets it through. Matched to 443, port 80 has
 * no route at all and answers with the redirect alone.
 */
export function edgeRoutes(targets: EdgeTarget[], port?: number): EdgeRoute[] {
  const routes = targets.flatMap((target): EdgeRoute[] => {
    const matches = target.paths.map(edgeMatch);
    const base = { ...httpRoute(target.host, target.service), name: `edge-to-${target.service.app}` };
    const specific = matches.filter((m): m is EdgeMatch => m !== undefined);
    return [
      ...(specific.length > 0 ? [{ ...base, match: specific }] : []),
      ...(specific.length < matches.length ? [base] : []),
    ];
  });
  const rank = (route: EdgeRoute) => Math.max(...(route.match ?? [undefined]).map(specificity));
  const ordered = routes.sort((a, b) => rank(b) - rank(a));
  if (port === undefined) return ordered;
  return ordered.map((route) => ({ ...route, match: (route.match ?? [{}]).map((m) => ({ ...m, port })) }));
}
