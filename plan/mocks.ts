// Mock cloud: what AWS and Kubernetes would return. Unit tests get realistic values; the offline
// plan gets "unknown" for everything the cloud computes, so nothing is invented.
import * as pulumi from "@pulumi/pulumi";

export const ACCOUNT_ID = "123456789012";
export const REGION = "us-west-2";
export const CLUSTER_ENDPOINT = "https://0A1B2C3D4E5F60718293A4B5C6D7E8F9.gr7.us-west-2.eks.amazonaws.com";
export const CLUSTER_CA_DATA = Buffer.from(
  "-----BEGIN CERTIFICATE-----\nMIIDBTCCAe2gAwIBAgIIMockCA\n-----END CERTIFICATE-----\n",
).toString("base64");
export const OIDC_ISSUER = "https://oidc.eks.us-west-2.amazonaws.com/id/0A1B2C3D4E5F60718293A4B5C6D7E8F9";
export const CLUSTER_SECURITY_GROUP_ID = "sg-0c1a2b3c4d5e6f708";
export const ADDON_VERSION = "v1.2.3-eksbuild.1";

type Inputs = Record<string, unknown>;

function hex(name: string, length: number): string {
  let hash = 0;
  for (const char of name) hash = (hash * 31 + char.charCodeAt(0)) >>> 0;
  return hash.toString(16).padStart(8, "0").repeat(4).slice(0, length);
}

/** What the cloud adds to a resource's inputs once it exists, by type token. */
function computedOutputs(type: string, name: string, inputs: Inputs): Inputs {
  const arn = (service: string, resource: string) => `arn:aws:${service}:${REGION}:${ACCOUNT_ID}:${resource}`;
  switch (type) {
    case "aws:eks/cluster:Cluster":
      return {
        arn: arn("eks", `cluster/${inputs.name ?? name}`),
        endpoint: CLUSTER_ENDPOINT,
        certificateAuthority: { data: CLUSTER_CA_DATA },
        identities: [{ oidcs: [{ issuer: OIDC_ISSUER }] }],
        vpcConfig: { ...(inputs.vpcConfig as Inputs), clusterSecurityGroupId: CLUSTER_SECURITY_GROUP_ID },
        status: "ACTIVE",
        platformVersion: "eks.5",
      };
    case "aws:iam/role:Role":
      return {
        name: inputs.name ?? name,
        arn: `arn:aws:iam::${ACCOUNT_ID}:role/${inputs.name ?? name}`,
        uniqueId: `AROA${hex(name, 17).toUpperCase()}`,
      };
    case "aws:iam/instanceProfile:InstanceProfile":
      return {
        name: inputs.name ?? name,
        arn: `arn:aws:iam::${ACCOUNT_ID}:instance-profile/${inputs.name ?? name}`,
      };
    case "aws:kms/key:Key":
      return { arn: arn("kms", `key/${hex(name, 8)}-0000-4000-8000-${hex(name, 12)}`), keyId: hex(name, 32) };
    case "aws:eks/nodeGroup:NodeGroup":
      return {
        arn: arn("eks", `nodegroup/${inputs.clusterName}/${inputs.nodeGroupName}/${hex(name, 8)}`),
        status: "ACTIVE",
      };
    case "aws:ec2/launchTemplate:LaunchTemplate":
      return { arn: arn("ec2", `launch-template/lt-${hex(name, 17)}`), latestVersion: 1 };
    case "aws:ec2/eip:Eip":
      return { publicIp: "198.51.100.10", allocationId: `eipalloc-${hex(name, 17)}` };
    case "aws:sqs/queue:Queue":
      return {
        arn: arn("sqs", String(inputs.name ?? name)),
        url: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT_ID}/${inputs.name ?? name}`,
      };
    case "aws:cloudwatch/logGroup:LogGroup":
      return { arn: arn("logs", `log-group:${inputs.name ?? name}`) };
    case "random:index/randomPassword:RandomPassword":
      return { result: `Mock${hex(name, 24)}!` };
    case "kubernetes:helm.sh/v3:Release":
      return {
        status: { name: inputs.name ?? name, namespace: inputs.namespace, status: "deployed", version: inputs.version },
      };
    default:
      return {};
  }
}

const ID_PREFIX: Record<string, string> = {
  "aws:ec2/vpc:Vpc": "vpc-",
  "aws:ec2/subnet:Subnet": "subnet-",
  "aws:ec2/internetGateway:InternetGateway": "igw-",
  "aws:ec2/natGateway:NatGateway": "nat-",
  "aws:ec2/routeTable:RouteTable": "rtb-",
  "aws:ec2/eip:Eip": "eipalloc-",
  "aws:ec2/launchTemplate:LaunchTemplate": "lt-",
  "aws:ec2/securityGroup:SecurityGroup": "sg-",
};

/** Results of data-source lookups (invokes) by token. */
function invokeResult(token: string, inputs: Inputs): Inputs {
  switch (token) {
    case "aws:index/getAvailabilityZones:getAvailabilityZones":
      return {
        names: ["a", "b", "c"].map((z) => `${REGION}${z}`),
        zoneIds: ["usw2-az1", "usw2-az2", "usw2-az3"],
        id: REGION,
      };
    case "aws:eks/getAddonVersion:getAddonVersion":
      return { ...inputs, version: ADDON_VERSION, id: String(inputs.addonName) };
    case "aws:index/getPartition:getPartition":
      return { partition: "aws", dnsSuffix: "amazonaws.com", id: "aws" };
    case "aws:index/getCallerIdentity:getCallerIdentity":
      return { accountId: ACCOUNT_ID, arn: `arn:aws:iam::${ACCOUNT_ID}:user/ci`, userId: "AIDAMOCK", id: ACCOUNT_ID };
    default:
      throw new Error(`no mock for invoke ${token}; add one to test/support/mocks.ts`);
  }
}

function unknownAll(values: Inputs): Inputs {
  return Object.fromEntries(Object.keys(values).map((key) => [key, pulumi.runtime.unknownValue]));
}

/**
 * Mocks for `pulumi.runtime.setMocks`. With `unknownComputed` (the offline plan) every value the
 * cloud computes is unknown, as in a real preview of a new stack.
 */
export function cloudMocks(options: { unknownComputed: boolean }): pulumi.runtime.Mocks {
  return {
    newResource(args) {
      const computed = computedOutputs(args.type, args.name, args.inputs);
      const prefix = ID_PREFIX[args.type];
      const id = prefix ? `${prefix}${hex(args.name, 17)}` : `${args.name}-id`;
      return {
        id: options.unknownComputed ? undefined : id,
        state: { ...args.inputs, ...(options.unknownComputed ? unknownAll(computed) : computed) },
      };
    },
    call(args) {
      const result = invokeResult(args.token, args.inputs);
      return options.unknownComputed ? unknownAll(result) : result;
    },
  };
}
