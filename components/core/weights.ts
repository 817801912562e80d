// Canary weights as every layer passes them: version name → percent of a service's traffic.

/** Version name → weight (integer percent; a service's weights sum to 100). */
export type Weights = Record<string, number>;
