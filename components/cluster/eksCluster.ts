// EksCluster: the EKS control plane (IAM, KMS, logs, access entries, networking add-ons), its
// kubeconfig and the one Kubernetes provider every Kubernetes resource of the stack uses.
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { managedAddon } from "./addons";
import { CLUSTER_TYPE } from "./cluster";
import type { EksClusterConfig } from "../config";
import { serviceRole } from "./iam";
import { eksKubeconfig } from "./kubeconfig";

export const CONTROL_PLANE_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"];
export const CLUSTER_ADMIN_POLICY = "AmazonEKSClusterAdminPolicy";

export interface EksClusterArgs {
  clusterName: string;
  region: string;
  config: EksClusterConfig;
  /** Subnets for the control-plane ENIs (private). */
  subnetIds: pulumi.Input<string>[];
}

/** The VPC CNI's add-on configuration: its network policy agent on. */
export const VPC_CNI_CONFIGURATION = JSON.stringify({ enableNetworkPolicy: "true" });

export class EksCluster extends pulumi.ComponentResource {
  readonly mode = "eks";
  /** The one Kubernetes provider every Kubernetes resource uses. */
  readonly provider: k8s.Provider;
  readonly clusterName: pulumi.Output<string>;
  readonly eksCluster: aws.eks.Cluster;
  readonly kubeconfig: pulumi.Output<string>;
  readonly oidcIssuer: pulumi.Output<string>;
  readonly clusterSecurityGroupId: pulumi.Output<string>;
  readonly partition: pulumi.Output<string>;
  /** Add-ons nodes need before they can join (vpc-cni, kube-proxy). */
  readonly networkingAddons: aws.eks.Addon[];

  constructor(name: string, args: EksClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super(CLUSTER_TYPE, name, {}, opts);
    const { config } = args;
    this.partition = aws.getPartitionOutput({}, { parent: this }).partition;
    const role = serviceRole(
      `${name}-control-plane`,
      {
        service: "eks.amazonaws.com",
        partition: this.partition,
        policies: ["AmazonEKSClusterPolicy"],
        description: `EKS control plane of ${args.clusterName}`,
      },
      { parent: this },
    );
    const secretsKey = new aws.kms.Key(
      `${name}-secrets`,
      {
        description: `Envelope encryption of Kubernetes secrets in ${args.clusterName}`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
      },
      { parent: this },
    );
    new aws.kms.Alias(
      `${name}-secrets`,
      { name: `alias/${args.clusterName}-secrets`, targetKeyId: secretsKey.keyId },
      { parent: this },
    );
    // Created before the cluster so EKS writes into a log group with a retention, not a forever one.
    const logGroup = new aws.cloudwatch.LogGroup(
      `${name}-control-plane-logs`,
      { name: `/aws/eks/${args.clusterName}/cluster`, retentionInDays: config.logRetentionDays },
      { parent: this },
    );

    const eksCluster = new aws.eks.Cluster(
      `${name}-eks`,
      {
        name: args.clusterName,
        version: config.kubernetesVersion,
        roleArn: role.role.arn,
        vpcConfig: {
          subnetIds: args.subnetIds,
          endpointPrivateAccess: true,
          endpointPublicAccess: config.endpointPublicAccess,
          publicAccessCidrs: config.endpointPublicAccess ? config.endpointPublicAccessCidrs : undefined,
        },
        accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: true },
        // Add-ons are managed below as EKS add-ons, with versions this program controls.
        bootstrapSelfManagedAddons: false,
        encryptionConfig: { provider: { keyArn: secretsKey.arn }, resources: ["secrets"] },
        enabledClusterLogTypes: CONTROL_PLANE_LOG_TYPES,
        upgradePolicy: { supportType: "STANDARD" },
      },
      {
        parent: this,
        dependsOn: [...role.attachments, logGroup],
        // Any diff on this field replaces the whole cluster; it only matters at creation.
        ignoreChanges: ["accessConfig.bootstrapClusterCreatorAdminPermissions"],
      },
    );
    this.eksCluster = eksCluster;
    this.clusterName = eksCluster.name;
    this.oidcIssuer = eksCluster.identities.apply((ids) => ids[0]?.oidcs?.[0]?.issuer ?? "");
    this.clusterSecurityGroupId = eksCluster.vpcConfig.clusterSecurityGroupId;

    for (const [i, principalArn] of config.adminRoleArns.entries()) {
      const entry = new aws.eks.AccessEntry(
        `${name}-admin-${i}`,
        { clusterName: eksCluster.name, principalArn, type: "STANDARD" },
        { parent: this },
      );
      new aws.eks.AccessPolicyAssociation(
        `${name}-admin-${i}`,
        {
          clusterName: eksCluster.name,
          principalArn,
          policyArn: pulumi.interpolate`arn:${this.partition}:eks::aws:cluster-access-policy/${CLUSTER_ADMIN_POLICY}`,
          accessScope: { type: "cluster" },
        },
        { parent: this, dependsOn: [entry] },
      );
    }

    const target = { clusterName: eksCluster.name, kubernetesVersion: config.kubernetesVersion };
    this.networkingAddons = [
      // Enforce NetworkPolicies (the LLM layer fences its endpoint pickers and router with them).
      managedAddon(
        `${name}-vpc-cni`,
        "vpc-cni",
        target,
        { parent: this },
        { configurationValues: VPC_CNI_CONFIGURATION },
      ),
      managedAddon(`${name}-kube-proxy`, "kube-proxy", target, { parent: this }),
    ];

    this.kubeconfig = pulumi.secret(
      pulumi
        .all([eksCluster.name, eksCluster.endpoint, eksCluster.certificateAuthority])
        .apply(([clusterName, endpoint, ca]) =>
          eksKubeconfig({
            clusterName,
            endpoint,
            certificateAuthorityData: ca.data ?? "",
            region: args.region,
            roleArn: config.kubeconfig.roleArn,
            profile: config.kubeconfig.profile,
          }),
        ),
    );
    this.provider = new k8s.Provider(
      `${name}-k8s`,
      // The provider is replaced only if the cluster is; token or endpoint changes are updates.
      { kubeconfig: this.kubeconfig, clusterIdentifier: eksCluster.arn },
      { parent: this },
    );
    this.registerOutputs({
      clusterName: this.clusterName,
      mode: this.mode,
      oidcIssuer: this.oidcIssuer,
      kubeconfig: this.kubeconfig,
    });
  }
}
