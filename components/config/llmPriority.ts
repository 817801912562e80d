// An llm service's `priority`: the request priority of its model's InferenceObjective, which the
// endpoint picker applies to requests that name the objective (header x-gateway-inference-objective).
// In the pinned GIE release (v1.4.0) a negative priority is sheddable: when every model server of the
// pool is saturated such requests are refused at once instead of queueing (batch work), while 0 and
// above are always scheduled (interactive). Higher values come first once flow control is enabled.
import { z } from "zod";

export const PRIORITY_RANGE = { min: -100, max: 100 } as const;

const PRIORITY_MESSAGE =
  `must be an integer from ${PRIORITY_RANGE.min} to ${PRIORITY_RANGE.max}: the priority of the model's InferenceObjective ` +
  "(negative: batch, shed first when every model server is saturated; 0 or more: interactive)";

export const llmPriority = z
  .number({ error: PRIORITY_MESSAGE })
  .int({ error: PRIORITY_MESSAGE })
  .min(PRIORITY_RANGE.min, { error: PRIORITY_MESSAGE })
  .max(PRIORITY_RANGE.max, { error: PRIORITY_MESSAGE })
  .default(0);
