// EKS and node hardening policies.
import type { PolicyResource } from "@pulumi/policy";
import { objectName, resourcePolicy, stackPolicy, type AiMeshPolicy } from "./helpers";

const CLUSTER = "aws:eks/cluster:Cluster";
const NODE_GROUP = "aws:eks/nodeGroup:NodeGroup";
const LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"];
const WORLD = ["0.0.0.0/0", "::/0"];
const PUBLIC_SUBNET_TAG = "kubernetes.io/role/elb";

/** Whether a subnet a node group uses is public: created here with the ELB tag, or tagged so. */
function isPublicSubnet(subnet: PolicyResource | string, resources: PolicyResource[]): boolean {
  if (typeof subnet !== "string") {
    return subnet.props.mapPublicIpOnLaunch === true || subnet.props.tags?.[PUBLIC_SUBNET_TAG] !== undefined;
  }
  return resources.some(
    (r) => r.type === "aws:ec2/tag:Tag" && r.props.resourceId === subnet && r.props.key === PUBLIC_SUBNET_TAG,
  );
}

export const eksPolicies: AiMeshPolicy[] = [
  resourcePolicy({
    name: "eks-secrets-encryption",
    description: "EKS clusters encrypt Kubernetes secrets with a KMS key.",
    remediationSteps:
      'Set encryptionConfig: { provider: { keyArn }, resources: ["secrets"] } with a customer-managed KMS key.',
    enforcementLevel: "mandatory",
    types: [CLUSTER],
    validate: (props, args, report) => {
      const encryption = props.encryptionConfig;
      // `in`, not a read: the key's ARN is unknown until the key exists, but it is set.
      const hasKey = encryption?.provider !== undefined && "keyArn" in encryption.provider;
      if (!hasKey || !(encryption.resources ?? []).includes("secrets")) {
        report(`EKS cluster ${args.name} does not encrypt secrets with a KMS key.`);
      }
    },
  }),
  resourcePolicy({
    name: "eks-no-public-endpoint-to-world",
    description: "The EKS API server is never public to 0.0.0.0/0 or ::/0.",
    remediationSteps: "List your networks in cluster.endpointPublicAccessCidrs, or set endpointPublicAccess: false.",
    enforcementLevel: "mandatory",
    configSchema: {
      properties: {
        allowedCidrs: {
          type: "array",
          items: { type: "string" },
          default: [],
          description: "If non-empty, the only CIDRs allowed.",
        },
      },
    },
    types: [CLUSTER],
    validate: (props, args, report) => {
      const vpc = props.vpcConfig ?? {};
      if (vpc.endpointPublicAccess === false) return;
      const cidrs: string[] = vpc.publicAccessCidrs ?? [];
      const { allowedCidrs } = args.getConfig<{ allowedCidrs: string[] }>();
      // EKS defaults an empty list to 0.0.0.0/0.
      const open =
        cidrs.length === 0 ? ["0.0.0.0/0 (the default for an empty list)"] : cidrs.filter((c) => WORLD.includes(c));
      if (open.length > 0) report(`EKS cluster ${args.name} has a public endpoint open to ${open.join(", ")}.`);
      const outside = allowedCidrs.length > 0 ? cidrs.filter((c) => !allowedCidrs.includes(c)) : [];
      if (outside.length > 0) report(`EKS cluster ${args.name} allows ${outside.join(", ")}, not in allowedCidrs.`);
    },
  }),
  resourcePolicy({
    name: "eks-control-plane-logging",
    description: "EKS clusters ship all five control-plane log types.",
    remediationSteps: `Set enabledClusterLogTypes to ${LOG_TYPES.join(", ")}.`,
    enforcementLevel: "mandatory",
    types: [CLUSTER],
    validate: (props, args, report) => {
      const enabled: string[] = props.enabledClusterLogTypes ?? [];
      const missing = LOG_TYPES.filter((t) => !enabled.includes(t));
      if (missing.length > 0) report(`EKS cluster ${args.name} does not log ${missing.join(", ")}.`);
    },
  }),
  resourcePolicy({
    name: "eks-authentication-mode-api",
    description: "EKS clusters authenticate through access entries only (authenticationMode API).",
    remediationSteps: 'Set accessConfig.authenticationMode to "API" and grant access with access entries.',
    enforcementLevel: "mandatory",
    types: [CLUSTER],
    validate: (props, args, report) => {
      const mode = props.accessConfig?.authenticationMode;
      if (mode !== "API")
        report(`EKS cluster ${args.name} uses authenticationMode ${mode ?? "CONFIG_MAP (default)"}, not API.`);
    },
  }),
  stackPolicy({
    name: "eks-node-groups-private-subnets",
    description: "EKS node groups run only in private subnets.",
    remediationSteps: "Pass the private subnet ids (tagged kubernetes.io/role/internal-elb) to the node group.",
    enforcementLevel: "mandatory",
    validate: (resources, _args, report) => {
      for (const group of resources.filter((r) => r.type === NODE_GROUP)) {
        // Subnets created in this stack are judged by their own props (their ids are unknown at
        // preview); ids from config are judged by the tags this stack puts on them.
        const created = (group.propertyDependencies.subnetIds ?? []).filter((d) => d.type === "aws:ec2/subnet:Subnet");
        const subnets: (PolicyResource | string)[] = created.length > 0 ? created : (group.props.subnetIds ?? []);
        const publicOnes = subnets.filter((s) => isPublicSubnet(s, resources));
        if (publicOnes.length > 0) {
          const names = publicOnes.map((s) => (typeof s === "string" ? s : s.name));
          report(`Node group ${group.name} uses public subnet(s) ${names.join(", ")}.`, group.urn);
        }
      }
    },
  }),
  resourcePolicy({
    name: "eks-node-groups-no-ssh",
    description: "EKS node groups allow no SSH access; use SSM Session Manager.",
    remediationSteps: "Remove remoteAccess from the node group.",
    enforcementLevel: "mandatory",
    types: [NODE_GROUP],
    validate: (props, args, report) => {
      if (props.remoteAccess) report(`Node group ${args.name} allows SSH through remoteAccess.`);
    },
  }),
  resourcePolicy({
    name: "ec2-launch-template-imdsv2",
    description: "Launch templates require IMDSv2 (session tokens) for instance metadata.",
    remediationSteps: 'Set metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 2 }.',
    enforcementLevel: "mandatory",
    types: ["aws:ec2/launchTemplate:LaunchTemplate"],
    validate: (props, args, report) => {
      if (props.metadataOptions?.httpTokens !== "required")
        report(`Launch template ${args.name} does not require IMDSv2.`);
    },
  }),
  resourcePolicy({
    name: "karpenter-nodeclass-imdsv2",
    description:
      "Karpenter EC2NodeClasses require IMDSv2 with a hop limit of 1, so pods cannot reach the node's credentials.",
    remediationSteps: 'Set metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1 }.',
    enforcementLevel: "mandatory",
    types: ["kubernetes:karpenter.k8s.aws/v1:EC2NodeClass"],
    validate: (props, _args, report) => {
      const metadata = props.spec?.metadataOptions ?? {};
      const name = objectName(props);
      if (metadata.httpTokens !== "required") report(`EC2NodeClass ${name} does not require IMDSv2.`);
      if (metadata.httpPutResponseHopLimit !== 1)
        report(
          `EC2NodeClass ${name} allows ${metadata.httpPutResponseHopLimit ?? "the default"} metadata hops, not 1.`,
        );
    },
  }),
  resourcePolicy({
    name: "karpenter-nodeclass-ami-pinned",
    description:
      "Karpenter EC2NodeClasses pin their AMI release: with @latest every AMI release replaces every node Karpenter runs.",
    remediationSteps: 'Pin the alias to a release, e.g. amiAlias: "al2023@v20251016", and move it on purpose.',
    enforcementLevel: "advisory",
    types: ["kubernetes:karpenter.k8s.aws/v1:EC2NodeClass"],
    validate: (props, _args, report) => {
      const terms: { alias?: string }[] = props.spec?.amiSelectorTerms ?? [];
      for (const alias of terms.map((t) => t.alias).filter((a): a is string => a !== undefined)) {
        if (alias.endsWith("@latest")) report(`EC2NodeClass ${objectName(props)} follows ${alias}.`);
      }
    },
  }),
  resourcePolicy({
    name: "kms-key-rotation",
    description: "KMS keys rotate automatically.",
    remediationSteps: "Set enableKeyRotation: true on the key.",
    enforcementLevel: "mandatory",
    types: ["aws:kms/key:Key"],
    validate: (props, args, report) => {
      if (props.enableKeyRotation !== true) report(`KMS key ${args.name} does not rotate.`);
    },
  }),
];
