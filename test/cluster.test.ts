import { ADDON_VERSION, CLUSTER_CA_DATA, CLUSTER_ENDPOINT, OIDC_ISSUER } from "../plan/mocks";
import { deploy, type RunResult } from "../plan/engine";
import { MANAGED_GPUS } from "./support/configFixtures";
import { byUrn, dependsOn, one, ofType } from "../plan/query";
import { RecordedSecret, type RecordedResource } from "../plan/recorder";

const CLUSTER = "aws:eks/cluster:Cluster";
const NODE_GROUP = "aws:eks/nodeGroup:NodeGroup";
const ADDON = "aws:eks/addon:Addon";
const SUBNET = "aws:ec2/subnet:Subnet";

function parentType(run: RunResult, resource: RecordedResource): string | undefined {
  return byUrn(run.resources, resource.parent)?.type;
}

function secretValue(value: unknown): unknown {
  expect(value).toBeInstanceOf(RecordedSecret);
  return (value as RecordedSecret).value;
}

describe("eks mode (dev stack)", () => {
  let run: RunResult;
  beforeAll(async () => {
    run = await deploy();
  });

  it("gives every resource an explicit provider: aws for AWS, the cluster's k8s provider for Kubernetes", () => {
    const awsProvider = one(run.resources, "pulumi:providers:aws");
    expect(one(run.resources, "pulumi:providers:kubernetes").parent).toMatch(/ai-mesh:index:Cluster::cluster$/);
    for (const r of run.resources.filter((x) => x.type.startsWith("aws:"))) {
      expect({ resource: r.name, provider: r.provider }).toEqual({ resource: r.name, provider: awsProvider.urn });
    }
    expect(awsProvider.inputs.region).toBe("us-west-2");
  });

  describe("network", () => {
    it("spans 3 AZs with private /19 and public /22 subnets tagged for EKS and load balancers", () => {
      const vpc = one(run.resources, "aws:ec2/vpc:Vpc");
      expect(vpc.inputs).toMatchObject({ cidrBlock: "10.40.0.0/16", enableDnsHostnames: true, enableDnsSupport: true });
      const subnets = ofType(run.resources, SUBNET);
      const tier = (t: string) => subnets.filter((s) => s.name.includes(`-${t}-`));
      expect(tier("private").map((s) => s.inputs.cidrBlock)).toEqual([
        "10.40.0.0/19",
        "10.40.32.0/19",
        "10.40.64.0/19",
      ]);
      expect(tier("public").map((s) => s.inputs.cidrBlock)).toEqual([
        "10.40.96.0/22",
        "10.40.100.0/22",
        "10.40.104.0/22",
      ]);
      expect(tier("private").map((s) => s.inputs.availabilityZone)).toEqual(["us-west-2a", "us-west-2b", "us-west-2c"]);
      for (const s of tier("private")) {
        expect(s.inputs.tags).toMatchObject({
          "kubernetes.io/cluster/ai-mesh-dev": "shared",
          "kubernetes.io/role/internal-elb": "1",
        });
      }
      for (const s of tier("public")) {
        expect(s.inputs.tags).toMatchObject({
          "kubernetes.io/cluster/ai-mesh-dev": "shared",
          "kubernetes.io/role/elb": "1",
        });
      }
    });

    it("routes private subnets through one NAT gateway (natGateways: single) and public ones to the IGW", () => {
      expect(ofType(run.resources, "aws:ec2/natGateway:NatGateway")).toHaveLength(1);
      const publicRoutes = one(run.resources, "aws:ec2/routeTable:RouteTable", "network-public");
      expect(publicRoutes.inputs.routes).toEqual([
        { cidrBlock: "0.0.0.0/0", gatewayId: expect.stringMatching(/^igw-/) },
      ]);
      const privateRoutes = one(run.resources, "aws:ec2/routeTable:RouteTable", "network-private-2");
      expect(privateRoutes.inputs.routes).toEqual([
        { cidrBlock: "0.0.0.0/0", natGatewayId: expect.stringMatching(/^nat-/) },
      ]);
    });
  });

  describe("control plane", () => {
    let cluster: RecordedResource;
    beforeAll(() => (cluster = one(run.resources, CLUSTER)));

    it("uses API authentication and ignores the bootstrap-admin flag that would replace the cluster", () => {
      expect(cluster.inputs.accessConfig).toEqual({
        authenticationMode: "API",
        bootstrapClusterCreatorAdminPermissions: true,
      });
      expect(cluster.options.ignoreChanges).toEqual(["accessConfig.bootstrapClusterCreatorAdminPermissions"]);
      expect(cluster.inputs).toMatchObject({ name: "ai-mesh-dev", version: "1.34", bootstrapSelfManagedAddons: false });
      expect(parentType(run, cluster)).toBe("ai-mesh:index:Cluster");
    });

    it("encrypts secrets with a rotating KMS key and logs all five control-plane log types", () => {
      const key = one(run.resources, "aws:kms/key:Key");
      expect(key.inputs).toMatchObject({ enableKeyRotation: true, deletionWindowInDays: 30 });
      expect(cluster.inputs.encryptionConfig).toEqual({
        provider: { keyArn: expect.stringMatching(/^arn:aws:kms:us-west-2:123456789012:key\//) },
        resources: ["secrets"],
      });
      expect(dependsOn(cluster, key)).toBe(true);
      expect(cluster.inputs.enabledClusterLogTypes).toEqual([
        "api",
        "audit",
        "authenticator",
        "controllerManager",
        "scheduler",
      ]);
      const logs = one(run.resources, "aws:cloudwatch/logGroup:LogGroup");
      expect(logs.inputs).toMatchObject({ name: "/aws/eks/ai-mesh-dev/cluster", retentionInDays: 90 });
      expect(dependsOn(cluster, logs)).toBe(true);
    });

    it("keeps the endpoint private and public only to the configured CIDRs", () => {
      expect(cluster.inputs.vpcConfig).toMatchObject({
        endpointPrivateAccess: true,
        endpointPublicAccess: true,
        publicAccessCidrs: ["203.0.113.0/24"],
      });
      const privateSubnetIds = ofType(run.resources, SUBNET)
        .filter((s) => s.name.includes("-private-"))
        .map((s) => s.name);
      expect((cluster.inputs.vpcConfig as { subnetIds: string[] }).subnetIds).toHaveLength(privateSubnetIds.length);
    });

    it("creates an access entry with AmazonEKSClusterAdminPolicy for every admin and CI role", () => {
      const entries = ofType(run.resources, "aws:eks/accessEntry:AccessEntry").filter(
        (e) => e.inputs.type === "STANDARD",
      );
      const associations = ofType(run.resources, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation");
      expect(entries.map((e) => e.inputs.principalArn)).toEqual([
        "arn:aws:iam::123456789012:role/platform-admins",
        "arn:aws:iam::123456789012:role/github-actions-ai-mesh",
      ]);
      associations.forEach((association, i) => {
        expect(association.inputs).toMatchObject({
          clusterName: "ai-mesh-dev",
          principalArn: entries[i].inputs.principalArn,
          policyArn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy",
          accessScope: { type: "cluster" },
        });
        expect(dependsOn(association, entries[i])).toBe(true);
      });
    });
  });

  describe("add-ons", () => {
    const addon = (name: string) => ofType(run.resources, ADDON).find((a) => a.inputs.addonName === name)!;

    it("installs vpc-cni and kube-proxy with the cluster, at the version looked up for 1.34", () => {
      for (const name of ["vpc-cni", "kube-proxy"]) {
        expect(addon(name).inputs).toMatchObject({ clusterName: "ai-mesh-dev", addonVersion: ADDON_VERSION });
        expect(parentType(run, addon(name))).toBe("ai-mesh:index:Cluster");
      }
    });

    it("installs coredns, pod identity and EBS CSI only after both node groups exist", () => {
      const groups = ofType(run.resources, NODE_GROUP);
      for (const name of ["coredns", "eks-pod-identity-agent", "aws-ebs-csi-driver"]) {
        for (const group of groups) expect(dependsOn(addon(name), group)).toBe(true);
      }
      expect(dependsOn(addon("aws-ebs-csi-driver"), addon("eks-pod-identity-agent"))).toBe(true);
    });

    it("gives EBS CSI a pod identity role and makes an encrypted gp3 StorageClass the default", () => {
      const role = one(run.resources, "aws:iam/role:Role", "addons-ebs-csi");
      expect(JSON.parse(role.inputs.assumeRolePolicy as string).Statement[0]).toEqual({
        Effect: "Allow",
        Principal: { Service: "pods.eks.amazonaws.com" },
        Action: ["sts:AssumeRole", "sts:TagSession"],
      });
      expect(addon("aws-ebs-csi-driver").inputs.podIdentityAssociations).toEqual([
        { roleArn: "arn:aws:iam::123456789012:role/addons-ebs-csi", serviceAccount: "ebs-csi-controller-sa" },
      ]);
      const storageClass = one(run.resources, "kubernetes:storage.k8s.io/v1:StorageClass");
      expect(storageClass.inputs).toMatchObject({
        metadata: { name: "gp3", annotations: { "storageclass.kubernetes.io/is-default-class": "true" } },
        provisioner: "ebs.csi.aws.com",
        parameters: { type: "gp3", encrypted: "true" },
        volumeBindingMode: "WaitForFirstConsumer",
      });
      expect(dependsOn(storageClass, addon("aws-ebs-csi-driver"))).toBe(true);
    });
  });

  describe("node groups", () => {
    const group = (name: string) => one(run.resources, NODE_GROUP, `nodes-${name}`);

    it("runs only the system group as a managed group: GPU nodes come from Karpenter", () => {
      expect(ofType(run.resources, NODE_GROUP).map((g) => g.name)).toEqual(["nodes-system"]);
    });

    it("puts the system group in private subnets, without SSH, behind an IMDSv2-only launch template", () => {
      const g = group("system");
      expect(g.inputs.remoteAccess).toBeUndefined();
      expect((g.inputs.subnetIds as string[]).every((id) => id.startsWith("subnet-"))).toBe(true);
      expect(g.inputs.subnetIds).toHaveLength(3);
      const template = one(run.resources, "aws:ec2/launchTemplate:LaunchTemplate", "nodes-system");
      expect(template.inputs.metadataOptions).toEqual({
        httpEndpoint: "enabled",
        httpTokens: "required",
        httpPutResponseHopLimit: 2,
      });
      expect(g.inputs.launchTemplate).toEqual({ id: expect.stringMatching(/^lt-/), version: "1" });
      expect(g.options.ignoreChanges).toEqual(["scalingConfig.desiredSize"]);
    });

    it("runs the system group on the standard AL2023 AMI, on demand", () => {
      expect(group("system").inputs).toMatchObject({
        amiType: "AL2023_x86_64_STANDARD",
        capacityType: "ON_DEMAND",
        instanceTypes: ["m6i.xlarge"],
        scalingConfig: { minSize: 2, desiredSize: 2, maxSize: 4 },
        labels: { "ai-mesh/node-role": "system" },
        taints: [],
      });
    });

    it("waits for vpc-cni and kube-proxy before nodes join", () => {
      const cni = ofType(run.resources, ADDON).find((a) => a.inputs.addonName === "vpc-cni")!;
      expect(dependsOn(group("system"), cni)).toBe(true);
    });

    it("installs the pinned NVIDIA device plugin tolerating the taint, on GPU nodes only", () => {
      const plugin = one(run.resources, "kubernetes:helm.sh/v3:Release", "nodes-nvidia-device-plugin");
      expect(plugin.inputs).toMatchObject({
        chart: "nvidia-device-plugin",
        version: "0.19.0",
        repositoryOpts: { repo: "https://nvidia.github.io/k8s-device-plugin" },
        namespace: "kube-system",
      });
      expect((plugin.inputs.values as Record<string, unknown>).tolerations).toEqual([
        { key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" },
      ]);
      expect((plugin.inputs.values as Record<string, unknown>).nodeSelector).toEqual({
        "nvidia.com/gpu.present": "true",
      });
      expect(dependsOn(plugin, group("system"))).toBe(true);
    });
  });

  describe("kubeconfig and outputs", () => {
    it("exports a secret kubeconfig that gets tokens from aws eks get-token with the region", () => {
      const kubeconfig = JSON.parse(secretValue(run.outputs.kubeconfig) as string);
      expect(kubeconfig.clusters[0].cluster).toEqual({
        server: CLUSTER_ENDPOINT,
        "certificate-authority-data": CLUSTER_CA_DATA,
      });
      expect(kubeconfig.users[0].user.exec).toMatchObject({
        apiVersion: "client.authentication.k8s.io/v1beta1",
        command: "aws",
        args: ["eks", "get-token", "--cluster-name", "ai-mesh-dev", "--region", "us-west-2"],
      });
    });

    it("builds one k8s provider from it, replaced only when the cluster is", () => {
      const provider = one(run.resources, "pulumi:providers:kubernetes");
      expect(secretValue(provider.inputs.kubeconfig)).toEqual(secretValue(run.outputs.kubeconfig));
      expect(provider.inputs.clusterIdentifier).toBe("arn:aws:eks:us-west-2:123456789012:cluster/ai-mesh-dev");
    });

    it("exports cluster name, region, OIDC issuer, node group names and mode", () => {
      expect(run.outputs).toMatchObject({
        mode: "eks",
        clusterName: "ai-mesh-dev",
        region: "us-west-2",
        oidcIssuer: OIDC_ISSUER,
        nodeGroups: { system: "system" },
        karpenterInterruptionQueue: "ai-mesh-dev-karpenter",
      });
    });
  });
});

describe("eks mode variations", () => {
  it("passes --role-arn and AWS_PROFILE to get-token when configured", async () => {
    const run = await deploy({
      config: {
        "ai-mesh:cluster": {
          kubeconfig: { roleArn: "arn:aws:iam::123456789012:role/deployer", profile: "platform" },
        },
      },
    });
    const exec = JSON.parse(secretValue(run.outputs.kubeconfig) as string).users[0].user.exec;
    expect(exec.args).toEqual([
      "eks",
      "get-token",
      "--cluster-name",
      "ai-mesh-dev",
      "--region",
      "us-west-2",
      "--role-arn",
      "arn:aws:iam::123456789012:role/deployer",
    ]);
    expect(exec.env).toEqual([{ name: "AWS_PROFILE", value: "platform" }]);
  });

  it("uses an existing VPC: no VPC created, its subnets tagged, the control plane in its private subnets", async () => {
    const run = await deploy({
      config: {
        "ai-mesh:cluster": {
          network: {
            vpcCidr: undefined,
            existing: {
              vpcId: "vpc-0abc",
              privateSubnetIds: ["subnet-0a", "subnet-0b"],
              publicSubnetIds: ["subnet-1a"],
            },
          },
        },
      },
    });
    expect(ofType(run.resources, "aws:ec2/vpc:Vpc")).toHaveLength(0);
    expect(ofType(run.resources, SUBNET)).toHaveLength(0);
    const tags = ofType(run.resources, "aws:ec2/tag:Tag").map((t) => t.inputs);
    expect(tags).toEqual(
      expect.arrayContaining([
        { resourceId: "subnet-0a", key: "kubernetes.io/role/internal-elb", value: "1" },
        { resourceId: "subnet-1a", key: "kubernetes.io/role/elb", value: "1" },
        { resourceId: "subnet-0b", key: "kubernetes.io/cluster/ai-mesh-dev", value: "shared" },
      ]),
    );
    expect((one(run.resources, CLUSTER).inputs.vpcConfig as { subnetIds: string[] }).subnetIds).toEqual([
      "subnet-0a",
      "subnet-0b",
    ]);
    expect(one(run.resources, NODE_GROUP, "nodes-system").inputs.subnetIds).toEqual(["subnet-0a", "subnet-0b"]);
    // Karpenter discovers the same private subnets by tag.
    expect(tags).toEqual(
      expect.arrayContaining([
        { resourceId: "subnet-0a", key: "karpenter.sh/discovery", value: "ai-mesh-dev" },
        { resourceId: "subnet-0b", key: "karpenter.sh/discovery", value: "ai-mesh-dev" },
      ]),
    );
  });

  it("runs a NAT gateway per AZ", async () => {
    const run = await deploy({ config: { "ai-mesh:cluster": { network: { natGateways: "perAz" } } } });
    expect(ofType(run.resources, "aws:ec2/natGateway:NatGateway")).toHaveLength(3);
  });
});

describe("eks mode with a managed GPU group (gpuNodes.provisioner: managed)", () => {
  let run: RunResult;
  const group = (name: string) => one(run.resources, NODE_GROUP, `nodes-${name}`);
  beforeAll(async () => {
    run = await deploy({ config: MANAGED_GPUS });
  });

  it("runs the GPU group on the NVIDIA AMI with the nvidia.com/gpu NO_SCHEDULE taint and label, and no Karpenter", () => {
    expect(group("gpu").inputs).toMatchObject({
      amiType: "AL2023_x86_64_NVIDIA",
      instanceTypes: ["g5.xlarge"],
      scalingConfig: { minSize: 1, desiredSize: 5, maxSize: 5 },
      labels: { "ai-mesh/node-role": "gpu", "nvidia.com/gpu.present": "true" },
      taints: [{ key: "nvidia.com/gpu", value: "true", effect: "NO_SCHEDULE" }],
    });
    expect(ofType(run.resources, "ai-mesh:index:Karpenter")).toEqual([]);
    expect(run.outputs.nodeGroups).toEqual({ system: "system", gpu: "gpu" });
  });

  it("starts coredns, pod identity and EBS CSI after both groups, and the device plugin after the GPU group", () => {
    const addons = ofType(run.resources, ADDON).filter(
      (a) => a.inputs.addonName !== "vpc-cni" && a.inputs.addonName !== "kube-proxy",
    );
    for (const addon of addons) expect(dependsOn(addon, group("gpu"))).toBe(true);
    const plugin = one(run.resources, "kubernetes:helm.sh/v3:Release", "nodes-nvidia-device-plugin");
    expect(dependsOn(plugin, group("gpu"))).toBe(true);
  });

  it("runs spot GPUs on Bottlerocket without a separate device plugin", async () => {
    const bottlerocket = await deploy({
      config: {
        "ai-mesh:cluster": {
          ...MANAGED_GPUS["ai-mesh:cluster"],
          gpuNodes: {
            ...MANAGED_GPUS["ai-mesh:cluster"].gpuNodes,
            amiType: "BOTTLEROCKET_x86_64_NVIDIA",
            capacityType: "SPOT",
          },
        },
      },
    });
    expect(one(bottlerocket.resources, NODE_GROUP, "nodes-gpu").inputs).toMatchObject({
      amiType: "BOTTLEROCKET_x86_64_NVIDIA",
      capacityType: "SPOT",
    });
    const template = one(bottlerocket.resources, "aws:ec2/launchTemplate:LaunchTemplate", "nodes-gpu");
    expect((template.inputs.blockDeviceMappings as { deviceName: string }[])[0].deviceName).toBe("/dev/xvdb");
    expect(ofType(bottlerocket.resources, "kubernetes:helm.sh/v3:Release").map((r) => r.name)).not.toContain(
      "nodes-nvidia-device-plugin",
    );
  });
});

describe("existing mode (local stack)", () => {
  let run: RunResult;
  beforeAll(async () => {
    run = await deploy({ stack: "local" });
  });

  it("creates no AWS resources at all", () => {
    expect(run.resources.filter((r) => r.type.startsWith("aws:") || r.type === "pulumi:providers:aws")).toEqual([]);
  });

  it("builds the k8s provider from the configured context, identified by the stated cluster name", () => {
    const provider = one(run.resources, "pulumi:providers:kubernetes");
    expect(provider.inputs).toMatchObject({ context: "kind-ai-mesh", clusterIdentifier: "ai-mesh" });
    expect(provider.inputs.kubeconfig).toBeUndefined();
  });

  it("keeps the provider's identity when the kube context is renamed (no replacement of every resource)", async () => {
    const renamed = await deploy({ stack: "local", config: { "ai-mesh:cluster": { context: "laptop" } } });
    const provider = one(renamed.resources, "pulumi:providers:kubernetes");
    expect(provider.inputs).toMatchObject({ context: "laptop", clusterIdentifier: "ai-mesh" });
    expect(renamed.outputs.clusterName).toBe("ai-mesh");
  });

  it("says in a stack output that GPU scheduling is off", () => {
    expect(run.outputs).toMatchObject({
      mode: "existing",
      clusterName: "ai-mesh",
      gpuScheduling: "disabled: object-detector runs on CPU without GPU limits, tolerations or node selectors",
    });
    expect(run.outputs.kubeconfig).toBeUndefined();
  });

  it("uses a kubeconfig file when one is configured", async () => {
    const withFile = await deploy({
      stack: "local",
      config: { "ai-mesh:cluster": { kubeconfig: "/home/me/.kube/k3d" } },
    });
    expect(one(withFile.resources, "pulumi:providers:kubernetes").inputs.kubeconfig).toBe("/home/me/.kube/k3d");
  });
});

describe("bad config", () => {
  it("fails before any resource is registered", async () => {
    const { runProgram } = await import("../plan/engine");
    const run = await runProgram({ config: { "ai-mesh:cluster": { systemNodes: { minSize: 5, maxSize: 4 } } } });
    expect(run.error?.message).toBe(
      "Invalid stack config (1 problem):\n  - cluster.systemNodes: sizes must satisfy minSize <= desiredSize <= maxSize, got 5 / 2 / 4",
    );
    expect(run.resources.map((r) => r.type)).toEqual(["pulumi:pulumi:Stack"]);
  });
});
