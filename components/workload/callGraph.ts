// Who may call whom: the call graph from config → the principals each service allows.
import type { CallGraphEdge } from "../config";
import { INGRESS_CALLER, kubernetesName, principal } from "../core/names";

export interface AllowedCall {
  principal: string;
  methods: string[];
  paths: string[];
}

export function allowedCallers(
  callGraph: CallGraphEdge[],
  callee: string,
  namespace: string,
  gatewayPrincipal: string,
): AllowedCall[] {
  return callGraph
    .filter((edge) => edge.to === callee)
    .map((edge) => ({
      principal: edge.from === INGRESS_CALLER ? gatewayPrincipal : principal(namespace, kubernetesName(edge.from)),
      methods: [...edge.methods],
      paths: [...edge.paths],
    }));
}
