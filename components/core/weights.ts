// Canary weights as every layer passes them: version name → percent of a service's traffic.

/** Version name → weight (integer percent; a service's weights sum to 100). */
export type Weights = Record<string, number>;

/** Version → weight exactly as a service's config lists them. */
export function configuredWeights(service: { versions: { name: string; weight: number }[] }): Weights {
  return Object.fromEntries(service.versions.map((v) => [v.name, v.weight]));
}

/** The version with the most weight; on a tie, the first declared (a Weights keeps the config's order). */
export function heaviest(weights: Weights): string {
  const entries = Object.entries(weights);
  if (entries.length === 0) throw new Error("no versions to choose from");
  return entries.reduce((best, entry) => (entry[1] > best[1] ? entry : best))[0];
}
