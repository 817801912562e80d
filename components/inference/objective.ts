// A model's InferenceObjective: the priority its requests get from the endpoint picker (config
// `priority`). Clients select it by name with the header x-gateway-inference-objective: <app>;
// requests without it get the picker's default, 0. Pure: config in, spec out.
import type { LlmServiceConfig } from "../config";
import { poolName } from "../core/inferenceNames";
import { heaviest, type Weights } from "../core/weights";
import { INFERENCE_GROUP } from "./routing";

/** The request header that names an InferenceObjective (GIE v1.4.0 pkg/epp/metadata/consts.go). */
export const OBJECTIVE_HEADER = "x-gateway-inference-objective";

/**
 * An objective belongs to ONE pool: GIE v1.4.0's picker drops an objective whose poolRef is not its
 * own pool (pkg/epp/controller/inferenceobjective_reconciler.go), and an object's name is unique in
 * the namespace, so a model has one objective. Istio 1.30.3 uses the picker of the route's last
 * pool, the heaviest version's (routing.ts, backendOrder), so the objective names that pool: a
 * canary step that changes the heaviest version moves it along with the route.
 */
export function objectiveSpec(service: LlmServiceConfig, weights: Weights) {
  return {
    poolRef: { group: INFERENCE_GROUP, kind: "InferencePool", name: poolName(service.app, heaviest(weights)) },
    priority: service.priority,
  };
}
