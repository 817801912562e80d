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
  const replicas = Math.max(1, Math.ceil(round(inFlight / perReplica)));
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
