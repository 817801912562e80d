// Istio/Envoy duration strings ("250ms", "10s", "5m", "1h") and their value in milliseconds.
const DURATION = /^(\d+)(ms|s|m|h)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

export function isDuration(value: string): boolean {
  return DURATION.test(value);
}

export function durationMs(value: string): number {
  const match = DURATION.exec(value);
  if (!match) {
    throw new Error(`not a duration: ${JSON.stringify(value)}`);
  }
  return Number(match[1]) * UNIT_MS[match[2]];
}

/** Whole seconds for Kubernetes fields that take integers (probes, grace periods). */
export function durationSeconds(value: string): number {
  return Math.ceil(durationMs(value) / 1000);
}
