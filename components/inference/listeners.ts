// The LLM Gateway's listeners. Pure.
import { HTTPS_PORT, HTTP_PORT } from "../mesh/frontDoor";
import { namespaceSelector } from "../core/names";

/**
 * One listener per host ("*" means any host), taking the model routes. With TLS at the load
 * balancer it is port 443 (what the NLB decrypted, plain HTTP to the gateway) and there is no port
 * 80 at all: the LLM gateway's Service opens none (PlainHttp "closed"). Without TLS, port 80.
 */
export function llmListeners(args: { hosts: string[]; routesNamespace: string; tls: boolean }) {
  const suffix = (i: number) => (args.hosts.length === 1 ? "" : `-${i}`);
  const models = { namespaces: { from: "Selector", selector: namespaceSelector(args.routesNamespace) } };
  const [name, port] = args.tls ? ["https", HTTPS_PORT] : ["http", HTTP_PORT];
  return args.hosts.map((host, i) => ({
    name: `${name}${suffix(i)}`,
    port,
    protocol: "HTTP",
    ...(host === "*" ? {} : { hostname: host }),
    allowedRoutes: models,
  }));
}
