// Karpenter: GPU (and general-purpose) nodes that appear when pods need them and go when they do
// not. Its nodes' own IAM role, instance profile and access entry; its controller role (EKS Pod
// Identity); the SQS interruption queue fed by EventBridge; the discovery tags; the pinned chart on
// the system nodes; the EC2NodeClasses and the NodePools.
import { modelCacheUserData } from "./modelCache";
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { CHARTS, chartArgs } from "../charts/pins";
import type { ChartsConfig, GeneralNodesConfig, KarpenterGpuNodesConfig } from "../config";
import { nodeRole, serviceTrustPolicy } from "./iam";
import { INTERRUPTION_EVENTS, interruptionQueuePolicy, karpenterControllerPolicy } from "./karpenterPolicy";
import { NODE_ROLE_LABEL } from "./gpu";
import {
  DISCOVERY_TAG,
  KARPENTER_REPLICAS,
  KARPENTER_RESOURCES,
  ec2NodeClassSpec,
  generalNodePoolSpec,
  gpuNodePoolSpec,
} from "./karpenterNodes";

export const KARPENTER_NAMESPACE = "kube-system";
export const KARPENTER_SERVICE_ACCOUNT = "karpenter";

export interface KarpenterArgs {
  /** The EKS cluster's name as an output of the cluster (AWS resources wait for it). */
  clusterName: pulumi.Input<string>;
  /** The same name as config states it: known at preview, so node classes and tags are too. */
  configuredClusterName: string;
  clusterSecurityGroupId: pulumi.Input<string>;
  partition: pulumi.Input<string>;
  region: string;
  privateSubnetIds: pulumi.Input<string>[];
  gpu: KarpenterGpuNodesConfig;
  general: GeneralNodesConfig;
  charts: ChartsConfig;
  /** The system node group Karpenter runs on, and the pod identity agent. */
  dependsOn: pulumi.Resource[];
}

export class Karpenter extends pulumi.ComponentResource {
  readonly release: k8s.helm.v3.Release;
  readonly interruptionQueue: aws.sqs.Queue;
  readonly nodePools: k8s.apiextensions.CustomResource[];
  /** The role Karpenter's nodes run as: their own, never the managed groups' (EKS owns that one's access entry). */
  readonly nodeRole: aws.iam.Role;

  constructor(name: string, args: KarpenterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ai-mesh:index:Karpenter", name, {}, opts);
    const child = { parent: this };
    const accountId = aws.getCallerIdentityOutput({}, child).accountId;

    // A role of their own, as Karpenter's getting-started has it: EKS creates and deletes the access
    // entry of a managed group's role itself, so an entry for that role here would collide (409) or,
    // removed with Karpenter, lock the system nodes out.
    const node = nodeRole(`${name}-node`, args.partition, "Nodes Karpenter launches", child);
    this.nodeRole = node.role;
    // Ours, named in the EC2NodeClasses: Karpenter then needs no right to create instance profiles.
    const instanceProfile = new aws.iam.InstanceProfile(`${name}-node`, { role: node.role.name }, child);
    // Nodes join with the node role: in API authentication mode that needs an access entry.
    const nodeAccess = new aws.eks.AccessEntry(
      `${name}-node-access`,
      { clusterName: args.clusterName, principalArn: node.role.arn, type: "EC2_LINUX" },
      { parent: this, dependsOn: node.attachments },
    );

    this.interruptionQueue = new aws.sqs.Queue(
      `${name}-interruptions`,
      {
        name: pulumi.interpolate`${args.clusterName}-karpenter`,
        messageRetentionSeconds: 300,
        sqsManagedSseEnabled: true,
      },
      child,
    );
    new aws.sqs.QueuePolicy(
      `${name}-interruptions`,
      { queueUrl: this.interruptionQueue.url, policy: this.interruptionQueue.arn.apply(interruptionQueuePolicy) },
      child,
    );
    for (const [event, pattern] of Object.entries(INTERRUPTION_EVENTS)) {
      const rule = new aws.cloudwatch.EventRule(
        `${name}-${event}`,
        { description: `Karpenter interruption handling: ${event}`, eventPattern: JSON.stringify(pattern) },
        child,
      );
      new aws.cloudwatch.EventTarget(
        `${name}-${event}`,
        { rule: rule.name, arn: this.interruptionQueue.arn, targetId: "karpenter-interruption-queue" },
        child,
      );
    }

    const controllerRole = new aws.iam.Role(
      `${name}-controller`,
      {
        description: "Karpenter controller (EKS Pod Identity)",
        assumeRolePolicy: serviceTrustPolicy("pods.eks.amazonaws.com", ["sts:AssumeRole", "sts:TagSession"]),
      },
      child,
    );
    const controllerPolicy = new aws.iam.RolePolicy(
      `${name}-controller`,
      {
        role: controllerRole.name,
        policy: pulumi
          .all([args.partition, accountId, args.clusterName, this.interruptionQueue.arn, node.role.arn])
          .apply(([partition, account, clusterName, queueArn, nodeRoleArn]) =>
            karpenterControllerPolicy({
              partition,
              region: args.region,
              accountId: account,
              clusterName,
              queueArn,
              nodeRoleArn,
            }),
          ),
      },
      child,
    );
    const podIdentity = new aws.eks.PodIdentityAssociation(
      `${name}-controller`,
      {
        clusterName: args.clusterName,
        namespace: KARPENTER_NAMESPACE,
        serviceAccount: KARPENTER_SERVICE_ACCOUNT,
        roleArn: controllerRole.arn,
      },
      child,
    );

    // Karpenter finds the subnets and security group its nodes use by this tag.
    const tagged = [...args.privateSubnetIds, args.clusterSecurityGroupId].map(
      (resourceId, i) =>
        new aws.ec2.Tag(
          `${name}-discovery-${i}`,
          { resourceId, key: DISCOVERY_TAG, value: args.configuredClusterName },
          child,
        ),
    );

    this.release = new k8s.helm.v3.Release(
      `${name}-controller`,
      {
        name: "karpenter",
        ...chartArgs(CHARTS.karpenter, args.charts),
        namespace: KARPENTER_NAMESPACE,
        values: {
          settings: { clusterName: args.clusterName, interruptionQueue: this.interruptionQueue.name },
          serviceAccount: { name: KARPENTER_SERVICE_ACCOUNT },
          replicas: KARPENTER_REPLICAS,
          podDisruptionBudget: { name: "karpenter", maxUnavailable: 1 },
          // Never on a node it manages: the system managed node group.
          nodeSelector: { [NODE_ROLE_LABEL]: "system" },
          controller: { resources: KARPENTER_RESOURCES },
        },
        skipAwait: false,
        timeout: 600,
      },
      { parent: this, dependsOn: [...args.dependsOn, podIdentity, controllerPolicy, nodeAccess, ...tagged] },
    );

    const nodeClass = (pool: string, amiAlias: string, diskSizeGiB: number, userData?: string) =>
      new k8s.apiextensions.CustomResource(
        `${name}-${pool}-nodeclass`,
        {
          apiVersion: "karpenter.k8s.aws/v1",
          kind: "EC2NodeClass",
          metadata: { name: pool },
          // Only the profile's name waits for the profile; the rest is known at preview (policies check it).
          spec: ec2NodeClassSpec({
            clusterName: args.configuredClusterName,
            instanceProfile: instanceProfile.name,
            amiAlias,
            diskSizeGiB,
            userData,
          }),
        },
        { parent: this, dependsOn: [this.release, nodeAccess] },
      );
    const nodePool = (pool: string, spec: unknown, classResource: k8s.apiextensions.CustomResource) =>
      new k8s.apiextensions.CustomResource(
        `${name}-${pool}-nodepool`,
        { apiVersion: "karpenter.sh/v1", kind: "NodePool", metadata: { name: pool }, spec },
        { parent: this, dependsOn: [this.release, classResource] },
      );
    // Karpenter's GPU nodes boot AL2023: each creates the model cache its model servers share.
    const gpuClass = nodeClass("gpu", args.gpu.amiAlias, args.gpu.diskSizeGiB, modelCacheUserData());
    const generalClass = nodeClass("general", args.general.amiAlias, args.general.diskSizeGiB);
    this.nodePools = [
      nodePool("gpu", gpuNodePoolSpec(args.gpu, "gpu"), gpuClass),
      nodePool("general", generalNodePoolSpec(args.general, "general"), generalClass),
    ];
    this.registerOutputs({ interruptionQueue: this.interruptionQueue.name, nodeRole: this.nodeRole.name });
  }
}
