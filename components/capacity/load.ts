// Replicas from load, by Little's law: requests in flight = arrival rate × time in the system.
// Pure arithmetic with the working shown, so the plan and its errors can print it.

export interface LoadProfile {
  /** Requests per second at peak. */
  peakRps: number;
  /** Time one request spends in a replica at peak, in milliseconds. */
  latencyMs: number;
  /** Requests one replica serves at once (its worker or batch slots). */
  concurrency: number;
  /** The share of those slots to plan for, in percent: headroom for bursts and failover. */
  targetUtilization: number;
}

export interface LoadSizing {
  /** Requests in flight at peak: peakRps × latency. */
  inFlight: number;
  /** Replicas needed at peak: inFlight / (concurrency × utilization), rounded up. */
  replicas: number;
  /** Concurrent requests the replicas can take at most (Envoy's max connections / requests). */
  maxRequests: number;
  /** Requests allowed to wait for a slot: one more round of every replica, no more. */
  maxPendingRequests: number;
  /** The arithmetic, for people. */
  working: string;
}

const round = (value: number) => Math.round(value * 100) / 100;

/** Sizing at peak; `maxReplicas` bounds the connection-pool limits (what the HPA can reach). */
export function sizeForLoad(load: LoadProfile, maxReplicas: number): LoadSizing {
  const inFlight = load.peakRps * (load.latencyMs / 1000);
  const perReplica = load.concurrency * (load.targetUtilization / 100);
  // No share of the load (a version at weight 0) needs no replica; any share needs one at least.
  const replicas = inFlight === 0 ? 0 : Math.max(1, Math.ceil(round(inFlight / perReplica)));
  const slots = Math.max(replicas, maxReplicas) * load.concurrency;
  return {
    inFlight: round(inFlight),
    replicas,
    maxRequests: slots,
    maxPendingRequests: slots,
    working:
      `${load.peakRps} rps × ${load.latencyMs / 1000} s = ${round(inFlight)} in flight; ` +
      `${round(inFlight)} / (${load.concurrency} per replica × ${load.targetUtilization} %) = ${round(inFlight / perReplica)} → ${replicas}`,
  };
}

/** One version's part of a service's peak load: its weight (plus the copies it gets as mirror target). */
export interface VersionLoad {
  version: string;
  /** Its index in `versions`, for a problem's key path. */
  index: number;
  /** Share of peak requests, 0..1. */
  share: number;
  /** Replicas the version may scale to. */
  replicasMax: number;
  /** The key that sets replicasMax: the version's own range, or the service's. */
  maxKey: string;
  sizing: LoadSizing;
}

export interface LoadedService {
  key: string;
  load: LoadProfile;
  versions: { name: string; weight: number; replicas?: { max: number } }[];
  replicas: { max: number };
  mirror?: { version: string; percent: number };
}

/** Each version's load at peak: the service's load split by weight; a mirror target gets its copies too. */
export function versionLoads(service: LoadedService): VersionLoad[] {
  return service.versions.map((version, index) => {
    const mirrored = service.mirror?.version === version.name ? service.mirror.percent : 0;
    const share = (version.weight + mirrored) / 100;
    const replicasMax = (version.replicas ?? service.replicas).max;
    const maxKey = version.replicas
      ? `services.${service.key}.versions[${index}].replicas.max`
      : `services.${service.key}.replicas.max`;
    const sizing = sizeForLoad({ ...service.load, peakRps: service.load.peakRps * share }, replicasMax);
    return { version: version.name, index, share, replicasMax, maxKey, sizing };
  });
}
