// The CRD bundles the LLM layer installs, pinned like the charts: the Gateway API standard channel
// and the Gateway API Inference Extension. Each comes from its release asset, or from
// `charts.directory`, where `npm run charts` writes the same CRDs from the Go module that holds them.
import * as path from "path";
import type { ChartsConfig } from "../config/schema";
import { INFERENCE_EXTENSION_MODULE, INFERENCE_EXTENSION_VERSION } from "./inferenceExtension";

export interface ManifestRef {
  /** The file's name in a charts directory. */
  file: string;
  /** The release asset. */
  url: string;
  /** Where this pin was checked to exist. */
  checked: string;
  /** The module whose files, concatenated in this order, are the release asset's objects. */
  goModule: { path: string; version: string; files: string[] };
  /** What the bundle applies, as read from those files at the pinned tag: CRDs by `group/Kind`, then other objects by `Kind name`. */
  holds: { crds: string[]; others: string[] };
}

const GATEWAY_API_VERSION = "v1.5.1";

export const CRD_MANIFESTS = {
  /** Istio 1.30 implements Gateway API v1.5; the standard channel, as its release assembles it. */
  gatewayApi: {
    file: `gateway-api-${GATEWAY_API_VERSION}-standard-install.yaml`,
    url: `https://github.com/kubernetes-sigs/gateway-api/releases/download/${GATEWAY_API_VERSION}/standard-install.yaml`,
    checked:
      "sigs.k8s.io/gateway-api v1.5.1 (hack/build-install-yaml.sh concatenates config/crd/standard/gateway*.yaml)",
    goModule: {
      path: "sigs.k8s.io/gateway-api",
      version: GATEWAY_API_VERSION,
      files: [
        "backendtlspolicies",
        "gatewayclasses",
        "gateways",
        "grpcroutes",
        "httproutes",
        "listenersets",
        "referencegrants",
        "tlsroutes",
        "vap_safeupgrades",
      ].map((name) => `config/crd/standard/gateway.networking.k8s.io_${name}.yaml`),
    },
    holds: {
      crds: [
        "BackendTLSPolicy",
        "GatewayClass",
        "Gateway",
        "GRPCRoute",
        "HTTPRoute",
        "ListenerSet",
        "ReferenceGrant",
        "TLSRoute",
      ].map((kind) => `gateway.networking.k8s.io/${kind}`),
      others: [
        "ValidatingAdmissionPolicy safe-upgrades.gateway.networking.k8s.io",
        "ValidatingAdmissionPolicyBinding safe-upgrades.gateway.networking.k8s.io",
      ],
    },
  },
  /**
   * InferencePool v1 and the x-k8s (alpha) kinds the endpoint picker watches, InferenceObjective
   * v1alpha2 among them: the release's manifests.yaml, which is config/crd's kustomization, in its order.
   */
  inferenceExtension: {
    file: `gateway-api-inference-extension-${INFERENCE_EXTENSION_VERSION}-manifests.yaml`,
    url: `https://github.com/kubernetes-sigs/gateway-api-inference-extension/releases/download/${INFERENCE_EXTENSION_VERSION}/manifests.yaml`,
    checked:
      "gateway-api-inference-extension v1.4.0 site-src/guides/index.md (kubectl apply -f …/releases/download/v1.4.0/manifests.yaml = kustomize build config/crd)",
    goModule: {
      path: INFERENCE_EXTENSION_MODULE,
      version: INFERENCE_EXTENSION_VERSION,
      files: [
        "inference.networking.x-k8s.io_inferencepools",
        "inference.networking.x-k8s.io_inferencemodelrewrites",
        "inference.networking.x-k8s.io_inferenceobjectives",
        "inference.networking.x-k8s.io_inferencepoolimports",
        "inference.networking.k8s.io_inferencepools",
      ].map((name) => `config/crd/bases/${name}.yaml`),
    },
    holds: {
      crds: [
        "inference.networking.x-k8s.io/InferencePool",
        "inference.networking.x-k8s.io/InferenceModelRewrite",
        "inference.networking.x-k8s.io/InferenceObjective",
        "inference.networking.x-k8s.io/InferencePoolImport",
        "inference.networking.k8s.io/InferencePool",
      ],
      others: [],
    },
  },
} as const satisfies Record<string, ManifestRef>;

/** Where a bundle is read from: the charts directory when the stack names one, else its release. */
export function manifestSource(ref: ManifestRef, charts: ChartsConfig): string {
  return charts.directory ? path.join(charts.directory, ref.file) : ref.url;
}
