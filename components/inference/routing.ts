// How a request finds its model: the Gateway LLM traffic enters by, one HTTPRoute per model that
// matches the model name (copied from the body into a header by body-based routing) and splits it
// between the versions' InferencePools by the typed canary weights. Pure: config in, specs out.
import type { LlmServiceConfig } from "../config";
import { llmListeners } from "./listeners";
import { heaviest, type Weights } from "../core/weights";
import { LLM_GATEWAY_RELEASE, MODEL_NAME_HEADER, poolName } from "../core/inferenceNames";

export const GATEWAY_API_GROUP = "gateway.networking.k8s.io";
export const INFERENCE_GROUP = "inference.networking.k8s.io";

export interface GatewayRef {
  name: string;
  namespace: string;
}

/** The OpenAI-compatible API: completions, chat completions (and whatever else vLLM serves under /v1). */
const API_PREFIX = "/v1/";

/**
 * A Gateway on the LLM gateway deployment Istio already runs (linked by the Service's host name,
 * Istio's "manual deployment"), taking model routes only from the services namespace (llmListeners).
 */
export function llmGatewaySpec(args: {
  hosts: string[];
  gatewayNamespace: string;
  routesNamespace: string;
  tls: boolean;
}) {
  return {
    gatewayClassName: "istio",
    addresses: [{ type: "Hostname", value: `${LLM_GATEWAY_RELEASE}.${args.gatewayNamespace}.svc.cluster.local` }],
    listeners: llmListeners(args),
  };
}

/**
 * The versions in the order their pools are listed in the route: declared order, with the stable
 * version (the heaviest; on a tie the first declared) moved last.
 *
 * Istio 1.30.3 gives an HTTPRoute rule ONE endpoint picker, the last weighted backendRef's
 * (pilot/pkg/config/kube/gateway/conversion.go, buildHTTPDestination keeps the inferencePoolConfig of
 * the last backend with weight > 0; istio/istio#61594). That picker scores every request of the rule;
 * when its pool has no ready endpoint it answers 503 for the whole rule, the other versions' shares
 * included. With the stable pool last, a canary that is still loading (or crashing) costs at most its
 * own share: the stable picker chooses, and the gateway's override falls back to the chosen cluster's
 * own balancing for the canary's share. Istio with #61601 resolves a picker per backendRef instead.
 */
export function backendOrder(weights: Weights): string[] {
  const stable = heaviest(weights);
  return [...Object.keys(weights).filter((v) => v !== stable), stable];
}

/**
 * Requests whose body names this model, split between its versions' pools by weight (a version at 0
 * stays listed, so promoting it changes this object alone). The stable pool's picker then chooses the
 * model server by its queue, KV cache and prefix cache (see backendOrder).
 */
export function modelRouteSpec(service: LlmServiceConfig, weights: Weights, gateway: GatewayRef) {
  return {
    parentRefs: [{ group: GATEWAY_API_GROUP, kind: "Gateway", name: gateway.name, namespace: gateway.namespace }],
    rules: [
      {
        matches: [
          {
            path: { type: "PathPrefix", value: API_PREFIX },
            headers: [{ type: "Exact", name: MODEL_NAME_HEADER, value: service.model.name }],
          },
        ],
        backendRefs: backendOrder(weights).map((version) => ({
          group: INFERENCE_GROUP,
          kind: "InferencePool",
          name: poolName(service.app, version),
          weight: weights[version],
        })),
        timeouts: { request: service.timeout },
      },
    ],
  };
}
