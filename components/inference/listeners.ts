// The LLM Gateway's listeners and the route that answers plain HTTP with a redirect to https. Pure.
import { HTTPS_PORT, HTTP_PORT } from "../mesh/frontDoor";
import { namespaceSelector } from "../core/names";

/**
 * One listener per host ("*" means any host). With TLS at the load balancer each host gets two: port
 * 80 takes routes from the gateway's own namespace only, where the redirect route lives, so a model
 * route can never attach there; port 443 (what the NLB decrypted, plain HTTP to the gateway) takes
 * the model routes. Without TLS, port 80 takes the model routes.
 */
export function llmListeners(args: { hosts: string[]; routesNamespace: string; tls: boolean }) {
  const suffix = (i: number) => (args.hosts.length === 1 ? "" : `-${i}`);
  const models = { namespaces: { from: "Selector", selector: namespaceSelector(args.routesNamespace) } };
  return args.hosts.flatMap((host, i) => {
    const hostname = host === "*" ? {} : { hostname: host };
    const http = { name: `http${suffix(i)}`, port: HTTP_PORT, protocol: "HTTP", ...hostname };
    if (!args.tls) return [{ ...http, allowedRoutes: models }];
    return [
      { ...http, allowedRoutes: { namespaces: { from: "Same" } } },
      { name: `https${suffix(i)}`, port: HTTPS_PORT, protocol: "HTTP", ...hostname, allowedRoutes: models },
    ];
  });
}

/** Every request on a port-80 listener gets a 301 to the same URL on https. */
export function httpsRedirectRouteSpec(
  gateway: { name: string; namespace: string },
  listeners: { name: string; port: number }[],
) {
  return {
    parentRefs: listeners
      .filter((l) => l.port === HTTP_PORT)
      .map((l) => ({
        group: "gateway.networking.k8s.io",
        kind: "Gateway",
        name: gateway.name,
        namespace: gateway.namespace,
        sectionName: l.name,
      })),
    rules: [{ filters: [{ type: "RequestRedirect", requestRedirect: { scheme: "https", statusCode: 301 } }] }],
  };
}
