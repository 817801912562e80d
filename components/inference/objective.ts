// A model's InferenceObjective: the priority its requests get from the endpoint picker (config
// `priority`). Clients select it by name with the header x-gateway-inference-objective: <app>;
// requests without it get the picker's default, 0. Pure: config in, spec out.
import type { LlmServiceConfig } from "../config";
import { poolName } from "../core/inferenceNames";
import { INFERENCE_GROUP } from "./routing";

/** The request header that names an InferenceObjective (GIE v1.4.0 pkg/epp/metadata/consts.go). */
export const OBJECTIVE_HEADER = "x-gateway-inference-objective";

/**
 * An objective belongs to ONE pool (its picker reads only objectives whose poolRef names its pool),
 * and an object's name is unique in the namespace, so a model's one objective lives in the pool of
 * its first declared version: the stable one by the house's convention (as for canary alerts), so a
 * weight change never touches it. In Istio 1.30.3 that pool's picker serves the whole route while
 * the first version is the heaviest (the route lists it last, see routing.ts).
 */
export function objectiveSpec(service: LlmServiceConfig) {
  return {
    poolRef: { group: INFERENCE_GROUP, kind: "InferencePool", name: poolName(service.app, service.versions[0].name) },
    priority: service.priority,
  };
}
