// NodeGroups: the system group and the GPU group (NVIDIA AMI, taint, labels) in private subnets,
// IMDSv2-only launch templates, no SSH, and the NVIDIA device plugin where the AMI lacks it.
import { modelCacheUserData } from "./modelCache";
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { ChartsConfig, EksClusterConfig, NodeGroupConfig } from "../config";
import { CHARTS, chartArgs } from "../charts/pins";
import {
  DEVICE_PLUGIN_REQUESTS,
  EKS_GPU_TAINT,
  GPU_NODE_SELECTOR,
  GPU_TOLERATION,
  NODE_ROLE_LABEL,
  needsDevicePlugin,
} from "./gpu";
import { nodeRole } from "./iam";

export interface NodeGroupsArgs {
  clusterName: pulumi.Input<string>;
  config: EksClusterConfig;
  charts: ChartsConfig;
  partition: pulumi.Input<string>;
  privateSubnetIds: pulumi.Input<string>[];
  /** Add-ons the nodes need to join (vpc-cni, kube-proxy). */
  dependsOn: pulumi.Resource[];
}

/** Bottlerocket keeps images on its second volume; AL2023 on the root volume. */
export function dataVolumeDevice(amiType: string): string {
  return amiType.startsWith("BOTTLEROCKET") ? "/dev/xvdb" : "/dev/xvda";
}

export class NodeGroups extends pulumi.ComponentResource {
  readonly system: aws.eks.NodeGroup;
  /** With gpuNodes.provisioner managed only; Karpenter launches GPU nodes otherwise. */
  readonly gpu?: aws.eks.NodeGroup;
  readonly devicePlugin?: k8s.helm.v3.Release;

  constructor(name: string, args: NodeGroupsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ai-mesh:index:NodeGroups", name, {}, opts);
    // SSM replaces SSH for break-glass access to nodes (NODE_POLICIES).
    const workers = nodeRole(`${name}-node`, args.partition, "EKS worker nodes", { parent: this });
    const dependsOn = [...args.dependsOn, ...workers.attachments];
    const group = (role: "system" | "gpu", config: NodeGroupConfig, labels: Record<string, string>, taints = false) => {
      const template = new aws.ec2.LaunchTemplate(
        `${name}-${role}`,
        {
          description: `${role} nodes: IMDSv2 only, encrypted gp3 volume`,
          metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 2 },
          blockDeviceMappings: [
            {
              deviceName: dataVolumeDevice(config.amiType),
              ebs: {
                volumeSize: config.diskSizeGiB,
                volumeType: "gp3",
                encrypted: "true",
                deleteOnTermination: "true",
              },
            },
          ],
          updateDefaultVersion: true,
          // AL2023 GPU nodes create the model cache their model servers share (modelCache.ts).
          ...(role === "gpu" && config.amiType.startsWith("AL2023")
            ? { userData: Buffer.from(modelCacheUserData()).toString("base64") }
            : {}),
        },
        { parent: this },
      );
      return new aws.eks.NodeGroup(
        `${name}-${role}`,
        {
          clusterName: args.clusterName,
          nodeGroupName: role,
          nodeRoleArn: workers.role.arn,
          subnetIds: args.privateSubnetIds,
          amiType: config.amiType,
          capacityType: config.capacityType,
          instanceTypes: config.instanceTypes,
          scalingConfig: { minSize: config.minSize, desiredSize: config.desiredSize, maxSize: config.maxSize },
          launchTemplate: { id: template.id, version: template.latestVersion.apply(String) },
          labels: { [NODE_ROLE_LABEL]: role, ...labels },
          taints: taints ? [EKS_GPU_TAINT] : [],
          updateConfig: { maxUnavailablePercentage: 33 },
        },
        // An autoscaler owns desiredSize after creation; re-applying config must not undo its work.
        { parent: this, dependsOn, ignoreChanges: ["scalingConfig.desiredSize"] },
      );
    };
    this.system = group("system", args.config.systemNodes, {});
    const gpuNodes = args.config.gpuNodes;
    if (gpuNodes.provisioner === "managed") this.gpu = group("gpu", gpuNodes, GPU_NODE_SELECTOR, true);

    // GPU nodes from AL2023's NVIDIA AMI (Karpenter's too) have drivers but no device plugin.
    if (needsDevicePlugin(gpuNodes)) {
      this.devicePlugin = new k8s.helm.v3.Release(
        `${name}-nvidia-device-plugin`,
        {
          name: "nvidia-device-plugin",
          ...chartArgs(CHARTS.nvidiaDevicePlugin, args.charts),
          namespace: "kube-system",
          values: {
            tolerations: [GPU_TOLERATION],
            nodeSelector: GPU_NODE_SELECTOR,
            resources: { requests: DEVICE_PLUGIN_REQUESTS },
            gfd: { enabled: false },
            nfd: { enabled: false },
          },
        },
        { parent: this, dependsOn: [this.gpu ?? this.system] },
      );
    }
    this.registerOutputs({ system: this.system.nodeGroupName, gpu: this.gpu?.nodeGroupName });
  }
}
