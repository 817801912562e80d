// The AWS load balancer annotations of a Service that the program sets and the pack reads: whether
// the load balancer faces the internet and which of its ports are TLS listeners. Plain TypeScript.

/** Annotation keys. The program's NLBs come from the in-tree service controller (cloud-provider-aws). */
export const LB_ANNOTATIONS = {
  type: "service.beta.kubernetes.io/aws-load-balancer-type",
  internal: "service.beta.kubernetes.io/aws-load-balancer-internal",
  /** Read by the AWS Load Balancer Controller only; the in-tree controller never reads it. */
  scheme: "service.beta.kubernetes.io/aws-load-balancer-scheme",
  crossZone: "service.beta.kubernetes.io/aws-load-balancer-cross-zone-load-balancing-enabled",
  sslCert: "service.beta.kubernetes.io/aws-load-balancer-ssl-cert",
  sslPorts: "service.beta.kubernetes.io/aws-load-balancer-ssl-ports",
  sslPolicy: "service.beta.kubernetes.io/aws-load-balancer-ssl-negotiation-policy",
  backendProtocol: "service.beta.kubernetes.io/aws-load-balancer-backend-protocol",
} as const;

/**
 * Whether a LoadBalancer Service's load balancer is internet-facing. The in-tree controller
 * (cloud-provider-aws v1.34.3 pkg/providers/v1/aws.go:2262-2268) makes an internal one when
 * `internal` is set to anything but "" or "false", and reads nothing else ("scheme" included). It
 * leaves types "external" and "nlb-ip" to the AWS Load Balancer Controller (ImplementedElsewhere),
 * which makes an internal NLB unless `scheme` is "internet-facing": such a Service is judged by
 * the controller that would serve it.
 */
export function internetFacing(annotations: Record<string, string>): boolean {
  const controller = ["external", "nlb-ip"].includes(annotations[LB_ANNOTATIONS.type]);
  if (controller) return annotations[LB_ANNOTATIONS.scheme] === "internet-facing";
  const internal = annotations[LB_ANNOTATIONS.internal] ?? "";
  return internal === "" || internal === "false";
}

/**
 * Whether the load balancer's listener for this Service port is TLS, by the in-tree rules (aws.go
 * getPortSets, 1901-1916, and 2227): a non-empty certificate, a port that is not UDP, and ssl-ports
 * absent, "" or "*" (every port), or split on "," with nothing trimmed and holding the port's number
 * or name ("80, 443" names " 443", which no port is).
 */
export function tlsListener(
  annotations: Record<string, string>,
  port: { name?: string; port: number; protocol?: string },
): boolean {
  if (!annotations[LB_ANNOTATIONS.sslCert] || port.protocol === "UDP") return false;
  const listed = annotations[LB_ANNOTATIONS.sslPorts] ?? "";
  if (listed === "" || listed === "*") return true;
  return listed.split(",").some((item) => (/^[+-]?\d+$/.test(item) ? Number(item) === port.port : item === port.name));
}
