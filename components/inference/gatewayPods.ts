// The LLM gateway's pods: the pinned Istio gateway chart's values, with the label that makes istiod
// consult the endpoint pickers. Pure: config in, values out.
//
// Why label the chart's pods rather than let Istio deploy the gateway from the Gateway resource
// (automated deployment, customised through spec.infrastructure.parametersRef): the chart keeps the
// LLM gateway shaped like the ingress gateway by the same typed values (replicas and autoscaling,
// resources, the NLB annotations, PDB), installed and awaited as one Helm release pinned with the
// mesh; its ServiceAccount (the identity the model servers admit), Service and pod selector stay the
// names the policies and NetworkPolicies already use. Istio 1.30.3 decides by the pod label alone
// (listener_builder.go reads lb.node.Labels), so labelling the pods is all the picker needs. The
// label also makes istiod treat the pods as a Gateway API gateway for policy attachment
// (pilot/pkg/model/policyattachment.go): selector-based policies (the edge JWT) still apply there
// because ENABLE_SELECTOR_BASED_K8S_GATEWAY_POLICY defaults to true in 1.30.3 (pilot/pkg/features/pilot.go).
import type { IstioConfig, LlmConfig } from "../config";
import { GATEWAY_NAME_LABEL, LLM_GATEWAY, LLM_GATEWAY_SELECTOR } from "../core/inferenceNames";
import type { PlainHttp } from "../mesh/frontDoor";
import { gatewayValues } from "../mesh/values";

/** Labels of every LLM gateway pod: the chart's selector, and the Gateway they serve (same namespace). */
export const LLM_GATEWAY_POD_LABELS = { ...LLM_GATEWAY_SELECTOR, [GATEWAY_NAME_LABEL]: LLM_GATEWAY } as const;

/** The gateway chart's values for the LLM gateway (its `labels` go on the pods, Deployment and Service). */
export function llmGatewayValues(istio: IstioConfig, gateway: LlmConfig["gateway"], plainHttp: PlainHttp) {
  return gatewayValues(istio, gateway, LLM_GATEWAY_POD_LABELS, plainHttp);
}
