// The endpoint pickers and the body-based router run outside the mesh (they serve TLS of their own,
// see mesh/values.ts), so no AuthorizationPolicy guards them: NetworkPolicies admit only who must
// reach them. And a LimitRange gives their containers the requests their charts leave out. Pure specs.
import { namespaceSelector } from "../core/names";
import {
  BBR_NAME,
  BBR_PORT,
  CHART_POD_RESOURCES,
  LLM_GATEWAY_SELECTOR,
  PICKER_POD_LABEL,
  PICKER_PORTS,
} from "../core/inferenceNames";

const tcp = (port: number) => ({ protocol: "TCP", port });

/** The LLM gateway's pods, seen from any namespace. */
function gatewayPods(gatewayNamespace: string) {
  return { namespaceSelector: namespaceSelector(gatewayNamespace), podSelector: { matchLabels: LLM_GATEWAY_SELECTOR } };
}

/** Only the LLM gateway calls the router. */
export function routerPolicySpec(gatewayNamespace: string) {
  return {
    podSelector: { matchLabels: { app: BBR_NAME } },
    policyTypes: ["Ingress"],
    ingress: [{ from: [gatewayPods(gatewayNamespace)], ports: [tcp(BBR_PORT)] }],
  };
}

/**
 * The gateway calls the pickers (ext_proc), Prometheus scrapes them (with a token on top), and the
 * kubelet's gRPC health probes come from the node, so the health port is open to any source.
 */
export function pickerPolicySpec(args: { pickers: string[]; gatewayNamespace: string; monitoringNamespace: string }) {
  return {
    podSelector: { matchExpressions: [{ key: PICKER_POD_LABEL, operator: "In", values: args.pickers }] },
    policyTypes: ["Ingress"],
    ingress: [
      { from: [gatewayPods(args.gatewayNamespace)], ports: [tcp(PICKER_PORTS.extProc)] },
      {
        from: [{ namespaceSelector: namespaceSelector(args.monitoringNamespace) }],
        ports: [tcp(PICKER_PORTS.metrics)],
      },
      { ports: [tcp(PICKER_PORTS.health)] },
    ],
  };
}

/** Requests and limits for containers that declare none (the picker's and the router's). */
export function chartLimitRangeSpec() {
  return {
    limits: [
      {
        type: "Container",
        defaultRequest: { ...CHART_POD_RESOURCES.requests },
        default: { ...CHART_POD_RESOURCES.limits },
      },
    ],
  };
}
