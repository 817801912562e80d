// Every policy of the ai-mesh pack. index.ts builds the PolicyPack from this list; `npm run plan`
// and the tests evaluate the same list offline.
import { eksPolicies } from "./eks";
import { frontDoorPolicies } from "./frontDoors";
import { gpuPolicies } from "./gpu";
import type { AiMeshPolicy } from "./helpers";
import { inferencePolicies } from "./inference";
import { istioPolicies } from "./istio";
import { workloadPolicies } from "./workloads";

export type { AiMeshPolicy } from "./helpers";
// Re-exported so code outside this package (the offline evaluator) sees the pack's own types.
export type {
  EnforcementLevel,
  PolicyResource,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationArgs,
  StackValidationPolicy,
} from "@pulumi/policy";

export const policies: AiMeshPolicy[] = [
  ...eksPolicies,
  ...gpuPolicies,
  ...istioPolicies,
  ...frontDoorPolicies,
  ...inferencePolicies,
  ...workloadPolicies,
];
