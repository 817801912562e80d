// Hosts outside the mesh a service reaches over HTTPS (where its model downloads from), made known
// to the mesh by a ServiceEntry: with outboundTrafficPolicy REGISTRY_ONLY, nothing else is.
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";

export function egressEntry(
  name: string,
  metadata: { name: string; namespace: string; labels: Record<string, string> },
  hosts: string[],
  opts: pulumi.CustomResourceOptions,
): k8s.apiextensions.CustomResource {
  // Exported to this namespace only. Istio cannot scope a ServiceEntry to one workload, so the
  // namespace's other services may reach these hosts too (over TLS, on 443).
  return new k8s.apiextensions.CustomResource(
    name,
    {
      apiVersion: "networking.istio.io/v1",
      kind: "ServiceEntry",
      metadata,
      spec: {
        hosts,
        exportTo: ["."],
        location: "MESH_EXTERNAL",
        resolution: "DNS",
        ports: [{ number: 443, name: "tls", protocol: "TLS" }],
      },
    },
    opts,
  );
}
