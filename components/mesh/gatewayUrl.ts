// Where a gateway answers, as the stack outputs say it.
import type { IstioConfig } from "../config";
import { terminatesTls } from "./frontDoor";

/** The URL a gateway answers at; with a wildcard host, where to find its load balancer's name. */
export function gatewayUrl(ingress: IstioConfig["ingress"], service: { namespace: string; name: string }): string {
  const scheme = terminatesTls(ingress) ? "https" : "http";
  const host = ingress.hosts.find((h) => !h.includes("*"));
  if (!host) {
    return `${scheme}://<load balancer hostname> (kubectl -n ${service.namespace} get svc ${service.name})`;
  }
  return `${scheme}://${host}/`;
}
