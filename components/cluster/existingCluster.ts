// ExistingCluster: a cluster made elsewhere (kind, k3d, minikube, an EKS cluster of your own), reached
// through a kubeconfig; the one Kubernetes provider every Kubernetes resource of the stack uses.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { CLUSTER_TYPE } from "./cluster";
import type { ExistingClusterConfig } from "../config";

export interface ExistingClusterArgs {
  /** The stated identity of the cluster (cluster.name), never a kube context. */
  clusterName: string;
  config: ExistingClusterConfig;
}

export class ExistingCluster extends pulumi.ComponentResource {
  readonly mode = "existing";
  readonly provider: k8s.Provider;
  readonly clusterName: pulumi.Output<string>;

  constructor(name: string, args: ExistingClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super(CLUSTER_TYPE, name, {}, opts);
    this.clusterName = pulumi.output(args.clusterName);
    this.provider = new k8s.Provider(
      `${name}-k8s`,
      {
        kubeconfig: args.config.kubeconfig,
        context: args.config.context,
        // The stated cluster name, never the context: renaming a context must not replace resources.
        clusterIdentifier: args.clusterName,
      },
      { parent: this },
    );
    this.registerOutputs({ clusterName: this.clusterName, mode: this.mode });
  }
}
