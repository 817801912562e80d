// A namespace enrolled in the mesh: sidecar injection for the stack's control plane, and Pod
// Security "restricted" reported (sidecar init containers need NET_ADMIN, so it is not enforced).
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { PART_OF } from "../core/names";
import type { ServiceMesh } from "../mesh/mesh";

export function meshNamespace(
  resourceName: string,
  name: string,
  mesh: Pick<ServiceMesh, "injectionLabels" | "istiod">,
  opts: pulumi.CustomResourceOptions,
): k8s.core.v1.Namespace {
  return new k8s.core.v1.Namespace(
    resourceName,
    {
      metadata: {
        name,
        labels: {
          ...mesh.injectionLabels,
          "app.kubernetes.io/part-of": PART_OF,
          "pod-security.kubernetes.io/warn": "restricted",
          "pod-security.kubernetes.io/audit": "restricted",
        },
      },
    },
    { ...opts, dependsOn: [mesh.istiod] },
  );
}
