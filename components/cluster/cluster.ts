// The cluster every layer above runs on, whichever kind it is (EksCluster or ExistingCluster): its
// one Kubernetes provider, its name, what must exist before workloads are scheduled, where the
// platform's own pods go, and what the stack outputs about it.
import type * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { ModelAccess } from "./modelAccess";

/**
 * Both kinds register as this component type: a resource's URN contains its parents' types, so one
 * type for both keeps every existing stack's URNs (and so its resources) as they are.
 */
export const CLUSTER_TYPE = "ai-mesh:index:Cluster";

export interface ClusterLayer {
  mode: "eks" | "existing";
  /** The one Kubernetes provider every Kubernetes resource uses. */
  provider: k8s.Provider;
  clusterName: pulumi.Output<string>;
  /** What must exist before any workload can be scheduled (node groups, add-ons, NodePools). */
  ready: pulumi.Resource[];
  /** Where pods pinned to the platform's own nodes go (EKS: the system group); anywhere when absent. */
  systemNodeSelector?: Record<string, string>;
  /** The StorageClass Prometheus claims from; the cluster's default when absent. */
  storageClass?: string;
  /** Stack outputs about the cluster (region, kubeconfig, node groups ...). */
  outputs: Record<string, unknown>;
  /** Per llm service key, what must exist before its model servers start (S3 read access). */
  modelAccess: ModelAccess;
}
