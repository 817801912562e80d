// The one source for service names, labels and mesh identities.

/** The caller name for traffic entering through the ingress gateway in the call graph. */
export const INGRESS_CALLER = "ingressGateway";

export const ISTIO_SYSTEM_NAMESPACE = "istio-system";
export const ISTIO_INGRESS_NAMESPACE = "istio-ingress";
export const INGRESS_GATEWAY_NAME = "istio-ingressgateway";
/** Pod labels the istio gateway chart sets for a release named INGRESS_GATEWAY_NAME. */
export const INGRESS_GATEWAY_SELECTOR = { istio: "ingressgateway" } as const;
export const PART_OF = "ai-mesh";

/** Kubernetes name of a service's config key: "imageProcessor" → "image-processor". */
export function kubernetesName(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** The SPIFFE principal Istio gives a workload's service account. */
export function principal(namespace: string, serviceAccount: string): string {
  return `cluster.local/ns/${namespace}/sa/${serviceAccount}`;
}

/** Labels every object of a service carries; `version` only on per-version objects. */
export function serviceLabels(app: string, version?: string): Record<string, string> {
  return {
    app,
    "app.kubernetes.io/name": app,
    "app.kubernetes.io/part-of": PART_OF,
    "app.kubernetes.io/managed-by": "pulumi",
    ...(version === undefined ? {} : { version, "app.kubernetes.io/version": version }),
  };
}

/** The selector of one version's pods (what a DestinationRule subset matches). */
export function versionSelector(app: string, version: string): Record<string, string> {
  return { app, version };
}

/** Selects one namespace by the name label every namespace carries. */
export function namespaceSelector(namespace: string): { matchLabels: Record<string, string> } {
  return { matchLabels: { "kubernetes.io/metadata.name": namespace } };
}
