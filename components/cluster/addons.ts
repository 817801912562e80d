// EKS managed add-ons. Networking add-ons come with the control plane (nodes need them to join);
// coredns, pod identity and EBS CSI only once a node group exists, or they never become healthy.
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { serviceRole } from "./iam";

export const EBS_CSI_SERVICE_ACCOUNT = "ebs-csi-controller-sa";
export const DEFAULT_STORAGE_CLASS = "gp3";

export interface AddonTarget {
  clusterName: pulumi.Input<string>;
  kubernetesVersion: string;
}

/** A managed add-on at the newest version EKS offers for the cluster's Kubernetes version. */
export function managedAddon(
  name: string,
  addonName: string,
  target: AddonTarget,
  opts: pulumi.CustomResourceOptions & { parent: pulumi.Resource },
  extra: Partial<aws.eks.AddonArgs> = {},
): aws.eks.Addon {
  const version = aws.eks.getAddonVersionOutput(
    { addonName, kubernetesVersion: target.kubernetesVersion, mostRecent: true },
    { parent: opts.parent },
  ).version;
  return new aws.eks.Addon(
    name,
    {
      clusterName: target.clusterName,
      addonName,
      addonVersion: version,
      resolveConflictsOnCreate: "OVERWRITE",
      resolveConflictsOnUpdate: "OVERWRITE",
      ...extra,
    },
    opts,
  );
}

export interface ClusterAddonsArgs extends AddonTarget {
  partition: pulumi.Input<string>;
  /** Node groups the add-ons wait for. */
  nodeGroups: pulumi.Resource[];
}

export class ClusterAddons extends pulumi.ComponentResource {
  readonly addons: aws.eks.Addon[];
  readonly storageClass: k8s.storage.v1.StorageClass;

  constructor(name: string, args: ClusterAddonsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ai-mesh:index:ClusterAddons", name, {}, opts);
    const afterNodes = { parent: this, dependsOn: args.nodeGroups };

    const coredns = managedAddon(`${name}-coredns`, "coredns", args, afterNodes);
    const podIdentity = managedAddon(`${name}-pod-identity`, "eks-pod-identity-agent", args, afterNodes);
    const ebsRole = serviceRole(
      `${name}-ebs-csi`,
      {
        service: "pods.eks.amazonaws.com",
        actions: ["sts:AssumeRole", "sts:TagSession"],
        partition: args.partition,
        policies: ["service-role/AmazonEBSCSIDriverPolicy"],
        description: "EBS CSI controller (EKS Pod Identity)",
      },
      { parent: this },
    );
    const ebsCsi = managedAddon(
      `${name}-ebs-csi`,
      "aws-ebs-csi-driver",
      args,
      { parent: this, dependsOn: [...args.nodeGroups, podIdentity, ...ebsRole.attachments] },
      { podIdentityAssociations: [{ roleArn: ebsRole.role.arn, serviceAccount: EBS_CSI_SERVICE_ACCOUNT }] },
    );
    this.addons = [coredns, podIdentity, ebsCsi];

    this.storageClass = new k8s.storage.v1.StorageClass(
      `${name}-gp3`,
      {
        metadata: {
          name: DEFAULT_STORAGE_CLASS,
          annotations: { "storageclass.kubernetes.io/is-default-class": "true" },
        },
        provisioner: "ebs.csi.aws.com",
        parameters: { type: "gp3", encrypted: "true", "csi.storage.k8s.io/fstype": "ext4" },
        reclaimPolicy: "Delete",
        volumeBindingMode: "WaitForFirstConsumer",
        allowVolumeExpansion: true,
      },
      { parent: this, dependsOn: [ebsCsi] },
    );
    this.registerOutputs({ addons: this.addons.map((a) => a.addonName), storageClass: DEFAULT_STORAGE_CLASS });
  }
}
