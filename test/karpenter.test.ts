import { modelCacheUserData } from "../components/cluster/modelCache";
import { deploy, type RunResult } from "../plan/engine";
import { byUrn, dependsOn, ofType, one } from "../plan/query";

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any -- recorded inputs

const RELEASE = "kubernetes:helm.sh/v3:Release";
const NODE_POOL = "kubernetes:karpenter.sh/v1:NodePool";
const NODE_CLASS = "kubernetes:karpenter.k8s.aws/v1:EC2NodeClass";

describe("Karpenter (dev stack)", () => {
  let run: RunResult;
  const named = (type: string, name: string) => one(run.resources, type, name);
  beforeAll(async () => {
    run = await deploy();
  });

  it("is a component of its own, parent of everything it creates", () => {
    const component = one(run.resources, "ai-mesh:index:Karpenter");
    const children = run.resources.filter((r) => r.parent === component.urn).map((r) => r.type);
    for (const type of [
      "aws:iam/role:Role",
      "aws:iam/rolePolicy:RolePolicy",
      "aws:eks/podIdentityAssociation:PodIdentityAssociation",
      "aws:eks/accessEntry:AccessEntry",
      "aws:sqs/queue:Queue",
      "aws:sqs/queuePolicy:QueuePolicy",
      "aws:cloudwatch/eventRule:EventRule",
      "aws:cloudwatch/eventTarget:EventTarget",
      "aws:ec2/tag:Tag",
      RELEASE,
      NODE_CLASS,
      NODE_POOL,
    ]) {
      expect(children).toContain(type);
    }
  });

  it("runs the controller with EKS Pod Identity on a role scoped to this cluster, its queue and its node role", () => {
    const role = named("aws:iam/role:Role", "karpenter-controller");
    expect(JSON.parse(role.inputs.assumeRolePolicy as string).Statement[0]).toEqual({
      Effect: "Allow",
      Principal: { Service: "pods.eks.amazonaws.com" },
      Action: ["sts:AssumeRole", "sts:TagSession"],
    });
    expect(named("aws:eks/podIdentityAssociation:PodIdentityAssociation", "karpenter-controller").inputs).toMatchObject(
      {
        clusterName: "ai-mesh-dev",
        namespace: "kube-system",
        serviceAccount: "karpenter",
        roleArn: "arn:aws:iam::123456789012:role/karpenter-controller",
      },
    );
    const policy = JSON.parse(named("aws:iam/rolePolicy:RolePolicy", "karpenter-controller").inputs.policy as string);
    const sid = (id: string) => policy.Statement.find((s: Json) => s.Sid === id);
    expect(sid("AllowPassingInstanceRole").Resource).toBe("arn:aws:iam::123456789012:role/karpenter-node");
    // The instance profile is ours: Karpenter may read profiles, never create or change one.
    expect(
      policy.Statement.flatMap((s: Json) => [s.Action].flat()).filter((a: string) => a.startsWith("iam:")),
    ).toEqual(["iam:PassRole", "iam:GetInstanceProfile", "iam:ListInstanceProfiles"]);
    expect(sid("AllowInterruptionQueueActions").Resource).toMatch(/^arn:aws:sqs:/);
    expect(sid("AllowScopedDeletion").Condition.StringEquals).toEqual({
      "aws:ResourceTag/kubernetes.io/cluster/ai-mesh-dev": "owned",
    });
    expect(sid("AllowAPIServerEndpointDiscovery").Resource).toBe(
      "arn:aws:eks:us-west-2:123456789012:cluster/ai-mesh-dev",
    );
    expect(sid("AllowRegionalReadActions").Condition).toEqual({ StringEquals: { "aws:RequestedRegion": "us-west-2" } });
  });

  it("gives its nodes a role, instance profile and EC2_LINUX access entry of their own", () => {
    const role = named("aws:iam/role:Role", "karpenter-node");
    expect(JSON.parse(role.inputs.assumeRolePolicy as string).Statement[0].Principal).toEqual({
      Service: "ec2.amazonaws.com",
    });
    const attached = ofType(run.resources, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
      .filter((a) => a.inputs.role === "karpenter-node")
      .map((a) => String(a.inputs.policyArn).split("/").pop());
    expect(attached).toEqual([
      "AmazonEKSWorkerNodePolicy",
      "AmazonEKS_CNI_Policy",
      "AmazonEC2ContainerRegistryReadOnly",
      "AmazonSSMManagedInstanceCore",
    ]);
    expect(named("aws:iam/instanceProfile:InstanceProfile", "karpenter-node").inputs.role).toBe("karpenter-node");
    const entry = named("aws:eks/accessEntry:AccessEntry", "karpenter-node-access");
    expect(entry.inputs).toMatchObject({
      clusterName: "ai-mesh-dev",
      principalArn: "arn:aws:iam::123456789012:role/karpenter-node",
      type: "EC2_LINUX",
    });
  });

  it("creates no access entry for the managed groups' role: EKS owns that one (a second would fail with 409)", () => {
    const managedRole = one(run.resources, "aws:eks/nodeGroup:NodeGroup", "nodes-system").inputs.nodeRoleArn;
    expect(managedRole).toBe("arn:aws:iam::123456789012:role/nodes-node");
    const entries = ofType(run.resources, "aws:eks/accessEntry:AccessEntry").map((e) => e.inputs.principalArn);
    expect(entries).not.toContain(managedRole);
    expect(entries.filter((arn) => String(arn).includes("karpenter"))).toEqual([
      "arn:aws:iam::123456789012:role/karpenter-node",
    ]);
  });

  it("feeds Spot interruptions, rebalance, state changes and scheduled maintenance to an encrypted queue", () => {
    expect(named("aws:sqs/queue:Queue", "karpenter-interruptions").inputs).toMatchObject({
      name: "ai-mesh-dev-karpenter",
      messageRetentionSeconds: 300,
      sqsManagedSseEnabled: true,
    });
    const queuePolicy = JSON.parse(
      named("aws:sqs/queuePolicy:QueuePolicy", "karpenter-interruptions").inputs.policy as string,
    );
    expect(queuePolicy.Statement[0].Principal).toEqual({ Service: ["events.amazonaws.com", "sqs.amazonaws.com"] });
    expect(queuePolicy.Statement[1]).toMatchObject({
      Effect: "Deny",
      Condition: { Bool: { "aws:SecureTransport": "false" } },
    });
    const rules = ofType(run.resources, "aws:cloudwatch/eventRule:EventRule");
    expect(rules.map((r) => JSON.parse(r.inputs.eventPattern as string)["detail-type"][0])).toEqual([
      "AWS Health Event",
      "EC2 Spot Instance Interruption Warning",
      "EC2 Instance Rebalance Recommendation",
      "EC2 Instance State-change Notification",
    ]);
    for (const target of ofType(run.resources, "aws:cloudwatch/eventTarget:EventTarget")) {
      expect(target.inputs.arn).toMatch(/^arn:aws:sqs:|known after deploy/);
    }
  });

  it("tags the private subnets and the cluster security group for discovery", () => {
    const tags = ofType(run.resources, "aws:ec2/tag:Tag").filter((t) => t.inputs.key === "karpenter.sh/discovery");
    expect(tags).toHaveLength(4);
    expect(tags.map((t) => t.inputs.resourceId)).toContain("sg-0c1a2b3c4d5e6f708");
    expect(tags.every((t) => t.inputs.value === "ai-mesh-dev")).toBe(true);
  });

  it("installs the pinned chart on the system nodes: two replicas, a PDB, its queue and requests", () => {
    const release = named(RELEASE, "karpenter-controller");
    expect(release.inputs).toMatchObject({
      chart: "oci://public.ecr.aws/karpenter/karpenter",
      version: "1.8.5",
      namespace: "kube-system",
    });
    expect(release.inputs.repositoryOpts).toBeUndefined();
    expect(release.inputs.values).toEqual({
      settings: { clusterName: "ai-mesh-dev", interruptionQueue: "ai-mesh-dev-karpenter" },
      serviceAccount: { name: "karpenter" },
      replicas: 2,
      podDisruptionBudget: { name: "karpenter", maxUnavailable: 1 },
      nodeSelector: { "ai-mesh/node-role": "system" },
      controller: { resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { memory: "1Gi" } } },
    });
    for (const dependency of [
      named("aws:eks/podIdentityAssociation:PodIdentityAssociation", "karpenter-controller"),
      named("aws:iam/rolePolicy:RolePolicy", "karpenter-controller"),
      named("aws:eks/accessEntry:AccessEntry", "karpenter-node-access"),
      one(run.resources, "aws:eks/nodeGroup:NodeGroup", "nodes-system"),
    ]) {
      expect(dependsOn(release, dependency)).toBe(true);
    }
  });

  it("gives GPU nodes an AL2023 EC2NodeClass: a pinned AMI, IMDSv2 with one hop, an encrypted 100 GiB gp3 root, its profile", () => {
    const nodeClass = named(NODE_CLASS, "karpenter-gpu-nodeclass");
    expect(nodeClass.inputs.spec).toEqual({
      instanceProfile: "karpenter-node",
      amiSelectorTerms: [{ alias: "al2023@v20251016" }],
      subnetSelectorTerms: [{ tags: { "karpenter.sh/discovery": "ai-mesh-dev" } }],
      securityGroupSelectorTerms: [{ tags: { "karpenter.sh/discovery": "ai-mesh-dev" } }],
      metadataOptions: {
        httpEndpoint: "enabled",
        httpProtocolIPv6: "disabled",
        httpPutResponseHopLimit: 1,
        httpTokens: "required",
      },
      blockDeviceMappings: [
        {
          deviceName: "/dev/xvda",
          ebs: { volumeSize: "100Gi", volumeType: "gp3", encrypted: true, deleteOnTermination: true },
        },
      ],
      // The model cache its model servers share (modelCache.test.ts).
      userData: modelCacheUserData(),
    });
    expect(dependsOn(nodeClass, named(RELEASE, "karpenter-controller"))).toBe(true);
    expect(dependsOn(nodeClass, named("aws:eks/accessEntry:AccessEntry", "karpenter-node-access"))).toBe(true);
  });

  it("pins every node class to one AMI release, which the stack may move", async () => {
    // By node class name: the recording order of two resources is not the program's to promise.
    const aliases = (r: RunResult) =>
      Object.fromEntries(
        ofType(r.resources, NODE_CLASS).map((c) => [
          (c.inputs.metadata as Json).name,
          (c.inputs.spec as Json).amiSelectorTerms[0].alias,
        ]),
      );
    expect(aliases(run)).toEqual({ gpu: "al2023@v20251016", general: "al2023@v20251016" });
    const moved = await deploy({
      config: {
        "ai-mesh:cluster": { gpuNodes: { amiAlias: "al2023@v20250915" }, generalNodes: { amiAlias: "al2023@latest" } },
      },
    });
    expect(aliases(moved)).toEqual({ gpu: "al2023@v20250915", general: "al2023@latest" });
  });

  it("launches GPU nodes from the configured families and capacity types, tainted, labelled, capped, consolidated", () => {
    const pool = named(NODE_POOL, "karpenter-gpu-nodepool");
    expect(pool.inputs.spec).toEqual({
      template: {
        metadata: { labels: { "nvidia.com/gpu.present": "true", "ai-mesh/node-role": "gpu" } },
        spec: {
          nodeClassRef: { group: "karpenter.k8s.aws", kind: "EC2NodeClass", name: "gpu" },
          requirements: [
            { key: "karpenter.k8s.aws/instance-family", operator: "In", values: ["g5", "g6"] },
            { key: "karpenter.sh/capacity-type", operator: "In", values: ["on-demand"] },
            { key: "kubernetes.io/arch", operator: "In", values: ["amd64"] },
            { key: "kubernetes.io/os", operator: "In", values: ["linux"] },
          ],
          taints: [{ key: "nvidia.com/gpu", value: "true", effect: "NoSchedule" }],
          expireAfter: "720h",
        },
      },
      limits: { "nvidia.com/gpu": "10" },
      disruption: { consolidationPolicy: "WhenEmptyOrUnderutilized", consolidateAfter: "5m" },
    });
    expect(dependsOn(pool, named(NODE_CLASS, "karpenter-gpu-nodeclass"))).toBe(true);
  });

  it("has a general-purpose NodePool so CPU services' HPAs get nodes", () => {
    const pool = named(NODE_POOL, "karpenter-general-nodepool").inputs.spec as Json;
    expect(pool.template.spec.requirements).toContainEqual({
      key: "karpenter.k8s.aws/instance-category",
      operator: "In",
      values: ["c", "m", "r"],
    });
    expect(pool.template.spec.requirements).toContainEqual({
      key: "karpenter.sh/capacity-type",
      operator: "In",
      values: ["spot", "on-demand"],
    });
    expect(pool.template.spec.taints).toBeUndefined();
    expect(pool.limits).toEqual({ cpu: "32", memory: "128Gi" });
  });

  it("makes the mesh wait for the NodePools, so GPU pods find capacity", () => {
    const istioSystem = one(run.resources, "kubernetes:core/v1:Namespace", "mesh-istio-system");
    for (const pool of ofType(run.resources, NODE_POOL)) expect(dependsOn(istioSystem, pool)).toBe(true);
    expect(byUrn(run.resources, one(run.resources, "ai-mesh:index:Karpenter").parent)?.type).toBe(
      "pulumi:pulumi:Stack",
    );
  });
});
