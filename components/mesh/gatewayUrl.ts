// Where a gateway answers, as the stack outputs say it.
import type { IstioConfig } from "../config";

/** The URL a gateway answers at; with a wildcard host, where to find its load balancer's name. */
export function gatewayUrl(ingress: IstioConfig["ingress"], service: { namespace: string; name: string }): string {
  const host = ingress.hosts.find((h) => !h.includes("*"));
  if (!host) {
    return `http://<load balancer hostname> (kubectl -n ${service.namespace} get svc ${service.name})`;
  }
  return `${ingress.certificateArn ? "https" : "http"}://${host}/`;
}
