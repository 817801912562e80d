// The table a security reviewer reads first: every internet-facing address the stack opens (the
// gateways' load balancers and the EKS API endpoint), where TLS ends, what plain HTTP gets, who may
// call and how often. The gateways are read by the same reader the front-door policies use.
import { gateways, type Door, type Gateway } from "../policy/gateways";
import type { Props } from "../policy/helpers";
import type { RecordedResource } from "./recorder";
import { formatTable } from "../cli/table";

const DEFAULT_PORT = { http: 80, https: 443 };

function addresses(door: Door): string[] {
  const scheme = door.tls ? "https" : "http";
  const port = door.port === DEFAULT_PORT[scheme] ? "" : `:${door.port}`;
  const hosts = door.hosts.filter((h) => h !== "*");
  const named = hosts.length > 0 && hosts.length === door.hosts.length ? hosts : ["<load balancer hostname>"];
  return named.map((host) => `${scheme}://${host}${port}`);
}

function answers(door: Door): string {
  if (door.tls) return "serves";
  return { redirect: "301 to https", serves: "serves plain HTTP", unbound: "nothing listens" }[door.plain!];
}

function authentication(gateway: Gateway): string {
  if (gateway.issuers.length === 0) return "none";
  const issuers = gateway.issuers.join(", ");
  return gateway.refusesAnonymous ? `bearer JWT from ${issuers}` : `JWT from ${issuers} if sent; none required`;
}

function tls(gateway: Gateway, door: Door): string {
  if (!door.tls) return "none";
  return `at the NLB (ACM …${gateway.certificate!.slice(-12)})`;
}

const EKS_CLUSTER = "aws:eks/cluster:Cluster";
/** Who the EKS API knows, by authentication mode (AWS's default, when unset, is CONFIG_MAP). */
const EKS_AUTHENTICATION: Record<string, string> = {
  API: "IAM (EKS access entries)",
  API_AND_CONFIG_MAP: "IAM (access entries and the aws-auth ConfigMap)",
  CONFIG_MAP: "IAM (the aws-auth ConfigMap)",
};

/**
 * The EKS API endpoint when it is public: open to `publicAccessCidrs` (AWS's default when unset:
 * 0.0.0.0/0). TLS with the cluster's own certificate; every request signed by an IAM identity.
 */
function clusterEndpoints(resources: RecordedResource[]): string[][] {
  return resources
    .filter((r) => r.type === EKS_CLUSTER)
    .map((r) => r.inputs as Props)
    .filter((cluster) => cluster.vpcConfig?.endpointPublicAccess !== false)
    .map((cluster) => [
      `https://<EKS API endpoint> from ${(cluster.vpcConfig?.publicAccessCidrs ?? ["0.0.0.0/0"]).join(", ")}`,
      `EKS API of ${cluster.name}`,
      "EKS (the cluster's certificate)",
      "serves",
      EKS_AUTHENTICATION[cluster.accessConfig?.authenticationMode ?? "CONFIG_MAP"],
      "none",
    ]);
}

/** One row per internet-facing address; redirects and closed ports ask nothing. */
export function renderAddresses(resources: RecordedResource[]): string {
  const facing = gateways(resources.map((r) => ({ type: r.type, props: r.inputs as Props }))).filter(
    (g) => g.internetFacing,
  );
  const rows = [["address", "front door", "TLS", "answers", "authentication", "per-client limit"]];
  for (const gateway of facing) {
    for (const door of gateway.doors) {
      const serves = door.tls || door.plain === "serves";
      for (const address of addresses(door)) {
        rows.push([
          address,
          `${gateway.namespace}/${gateway.name}`,
          tls(gateway, door),
          answers(door),
          serves ? authentication(gateway) : "-",
          serves ? gateway.clientLimits.join(", ") || "none" : "-",
        ]);
      }
    }
  }
  rows.push(...clusterEndpoints(resources));
  if (rows.length === 1) return "(none: nothing faces the internet)";
  return formatTable(rows);
}
