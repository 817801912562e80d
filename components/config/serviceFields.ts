// Fields every kind of service shares: a version's replica range and how a canary is analysed.
import { z } from "zod";
import { duration, percent } from "./primitives";

export const replicaRange = z.strictObject({ min: z.number().int().min(1), max: z.number().int().min(1) });

/** Canary analysis: Flagger's knobs, with no traffic never counted as a pass. */
export const canarySchema = z
  .strictObject({
    /** The target version's weight after each step, in percent; the last is 100. */
    steps: z
      .array(z.number().int().min(1).max(100))
      .min(1)
      .refine((steps) => steps.every((step, i) => i === 0 || step > steps[i - 1]), "must increase step by step")
      .refine((steps) => steps[steps.length - 1] === 100, "must end at 100")
      .default([5, 10, 25, 50, 100]),
    /** How long each step runs before it is analysed; also the metrics window. */
    interval: duration.default("1m"),
    maxErrorRatePercent: percent.default(1),
    maxP99Ms: z.number().int().min(1).default(2000),
    /** Fewer requests than this in an interval is no evidence: the step holds. */
    minRequests: z.number().int().min(1).default(20),
    /** Failed checks tolerated; one more rolls back. Also how many intervals a step may hold. */
    threshold: z.number().int().min(0).default(2),
  })
  .prefault({});
