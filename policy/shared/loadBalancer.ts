// The AWS load balancer annotations of a Service that the program sets and the pack reads: whether
// the load balancer faces the internet and which of its ports are TLS listeners. Plain TypeScript.

/** Annotation keys (the in-tree cloud provider's; the AWS Load Balancer Controller reads the same). */
export const LB_ANNOTATIONS = {
  type: "service.beta.kubernetes.io/aws-load-balancer-type",
  internal: "service.beta.kubernetes.io/aws-load-balancer-internal",
  scheme: "service.beta.kubernetes.io/aws-load-balancer-scheme",
  crossZone: "service.beta.kubernetes.io/aws-load-balancer-cross-zone-load-balancing-enabled",
  sslCert: "service.beta.kubernetes.io/aws-load-balancer-ssl-cert",
  sslPorts: "service.beta.kubernetes.io/aws-load-balancer-ssl-ports",
  sslPolicy: "service.beta.kubernetes.io/aws-load-balancer-ssl-negotiation-policy",
  backendProtocol: "service.beta.kubernetes.io/aws-load-balancer-backend-protocol",
} as const;

/**
 * Whether a LoadBalancer Service's load balancer is internet-facing. The in-tree provider makes one
 * unless `internal` is "true"; the AWS Load Balancer Controller (type "external" or "nlb-ip") makes an
 * internal one unless `scheme` is "internet-facing".
 */
export function internetFacing(annotations: Record<string, string>): boolean {
  const controller = ["external", "nlb-ip"].includes(annotations[LB_ANNOTATIONS.type]);
  if (controller) return annotations[LB_ANNOTATIONS.scheme] === "internet-facing";
  return annotations[LB_ANNOTATIONS.internal] !== "true" && annotations[LB_ANNOTATIONS.scheme] !== "internal";
}

/** Whether the load balancer's listener for this Service port is TLS: a certificate, and the port in ssl-ports (all when absent). */
export function tlsListener(annotations: Record<string, string>, port: { name?: string; port: number }): boolean {
  if (!annotations[LB_ANNOTATIONS.sslCert]) return false;
  const listed = annotations[LB_ANNOTATIONS.sslPorts];
  if (listed === undefined) return true;
  const ports = listed.split(",").map((p) => p.trim());
  return ports.includes(String(port.port)) || (port.name !== undefined && ports.includes(port.name));
}
