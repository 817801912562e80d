// A gateway's front door: the ports its load balancer opens, where TLS ends, and what plain HTTP
// gets (a 301 to https, nothing else). Pure: config in, Service ports, annotations and servers out.
import type { IstioConfig } from "../config";
import { LB_ANNOTATIONS } from "../../policy/shared/loadBalancer";

type Ingress = IstioConfig["ingress"];

export const HTTP_PORT = 80;
export const HTTPS_PORT = 443;
/**
 * Where the gateway takes what the NLB decrypted on 443. The NLB sends plain TCP either way, so
 * the gateway could not tell a request that came over TLS from one that did not if both landed on
 * one port (Envoy overwrites an untrusted X-Forwarded-Proto with the scheme of its own connection:
 * "http" on both). On a port of its own, port 80 can redirect everything and 8443 serve.
 */
export const TLS_TARGET_PORT = 8443;
/** TLS 1.3 and 1.2 only: an NLB TLS listener without a policy gets ELBSecurityPolicy-2016-08 (TLS 1.0 up). */
export const NLB_TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06";

/** Whether the load balancer terminates TLS (an ACM certificate is set). */
export function terminatesTls(ingress: Ingress): boolean {
  return ingress.certificateArn !== undefined;
}

/**
 * In-tree AWS load balancer annotations (the cloud provider's service controller) for an NLB. With a
 * certificate the port named "https" becomes a TLS listener that decrypts with it and forwards plain
 * TCP ("backend-protocol tcp") to the gateway; port 80 stays a TCP listener.
 */
export function loadBalancerAnnotations(ingress: Ingress): Record<string, string> {
  return {
    [LB_ANNOTATIONS.type]: "nlb",
    [LB_ANNOTATIONS.crossZone]: "true",
    ...(ingress.scheme === "internal" ? { [LB_ANNOTATIONS.internal]: "true" } : {}),
    ...(ingress.certificateArn
      ? {
          [LB_ANNOTATIONS.sslCert]: ingress.certificateArn,
          [LB_ANNOTATIONS.sslPorts]: "https",
          [LB_ANNOTATIONS.sslPolicy]: NLB_TLS_POLICY,
          [LB_ANNOTATIONS.backendProtocol]: "tcp",
        }
      : {}),
    ...ingress.annotations,
  };
}

export interface ServicePort {
  name: string;
  port: number;
  protocol: "TCP";
  targetPort: number;
}

/**
 * What port 80 does on a gateway whose NLB terminates TLS: "redirect" answers with a 301 to https
 * (for browsers, which type addresses without a scheme), "closed" opens no port 80 at all (for API
 * clients: a client given an http:// base URL would send its bearer token in cleartext before any
 * redirect could answer, and a closed port fails it before it sends a byte).
 */
export type PlainHttp = "redirect" | "closed";

/**
 * The gateway Service's ports. A load balancer opens every port of its Service, and the NLB checks
 * targets on the traffic port, so the status port (15021) is left to laptop clusters' NodePorts.
 */
export function servicePorts(ingress: Ingress, plainHttp: PlainHttp = "redirect"): ServicePort[] {
  const tls = terminatesTls(ingress);
  return [
    ...(ingress.serviceType === "LoadBalancer"
      ? []
      : [{ name: "status-port", port: 15021, protocol: "TCP" as const, targetPort: 15021 }]),
    ...(tls && plainHttp === "closed"
      ? []
      : [{ name: "http2", port: HTTP_PORT, protocol: "TCP" as const, targetPort: HTTP_PORT }]),
    ...(tls ? [{ name: "https", port: HTTPS_PORT, protocol: "TCP" as const, targetPort: TLS_TARGET_PORT }] : []),
  ];
}

/**
 * Servers of an Istio Gateway on this deployment (port numbers are the Service's; istiod listens on
 * their target ports). With TLS at the NLB: port 80 answers every request with a 301 to https
 * (httpsRedirect: the virtual hosts require TLS, which Envoy never sees on that plain listener; the
 * edge routes match port 443 only, so port 80 has no route behind the redirect) and 443 serves what
 * the NLB decrypted, as plain HTTP. Without: port 80 serves.
 */
export function gatewayServers(ingress: Ingress) {
  const http = { port: { number: HTTP_PORT, name: "http", protocol: "HTTP" }, hosts: ingress.hosts };
  if (!terminatesTls(ingress)) return [http];
  return [
    { ...http, tls: { httpsRedirect: true } },
    { port: { number: HTTPS_PORT, name: "https", protocol: "HTTP" }, hosts: ingress.hosts },
  ];
}
