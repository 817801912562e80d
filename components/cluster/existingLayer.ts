// The layer of an existing cluster (kind, k3d, minikube, your own EKS): the ClusterLayer the mesh,
// observability and platform run on, with no AWS resource at all.
import type { ClusterLayer } from "./cluster";
import { ExistingCluster } from "./existingCluster";
import type { AppConfig, ExistingClusterConfig } from "../config";

/** A cluster made elsewhere: a provider for it, and nothing else to wait for. */
export function existingLayer(config: AppConfig & { cluster: ExistingClusterConfig }): ClusterLayer {
  const cluster = new ExistingCluster("cluster", { clusterName: config.clusterName, config: config.cluster });
  return {
    mode: "existing",
    provider: cluster.provider,
    clusterName: cluster.clusterName,
    ready: [],
    storageClass: config.cluster.storageClass,
    // S3 model sources need EKS Pod Identity (config rules refuse them here).
    modelAccess: {},
    outputs: {
      gpuScheduling: config.gpu
        ? "enabled"
        : "disabled: object-detector runs on CPU without GPU limits, tolerations or node selectors",
    },
  };
}
