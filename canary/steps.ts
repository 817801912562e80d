// Weight moves: from the stable version to the target in steps, every other version untouched.
// Pure, and every result sums to what it started with (100).

import { heaviest, type Weights } from "../components/core/weights";

/** The version that gives up weight: the heaviest one other than the target (the first on a tie). */
export function defaultFrom(weights: Weights, to: string): string {
  const others = Object.entries(weights).filter(([name]) => name !== to);
  if (others.length === 0) throw new Error(`${to} is the only version; there is nothing to move weight from`);
  return heaviest(Object.fromEntries(others));
}

/**
 * The weights after each step: the target at `step` percent (at most what it and the stable version
 * hold together), the stable version the rest of their share. Steps at or below the target's current
 * weight are done already and skipped; so a resumed promotion continues where it stopped.
 */
export function stepWeights(current: Weights, from: string, to: string, steps: number[]): Weights[] {
  const pool = current[from] + current[to];
  return steps
    .map((step) => Math.min(step, pool))
    .filter((target, i, all) => target > current[to] && all.indexOf(target) === i)
    .map((target) => ({ ...current, [to]: target, [from]: pool - target }));
}

/** A failed canary: the target gets nothing, the stable version its share back. */
export function rollbackWeights(current: Weights, from: string, to: string): Weights {
  return { ...current, [to]: 0, [from]: current[from] + current[to] };
}

export function describeWeights(weights: Weights): string {
  return Object.entries(weights)
    .map(([name, weight]) => `${name} ${weight}`)
    .join(", ");
}
