// Network: a VPC over 3 AZs (public + private subnets, NAT, routes) tagged for EKS and load
// balancers — or an existing VPC whose subnets get those tags.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { planSubnets } from "./cidr";
import type { EksClusterConfig } from "../config";

export const AZ_COUNT = 3;

export interface NetworkArgs {
  clusterName: string;
  network: EksClusterConfig["network"];
}

/** Tags that let EKS and the AWS load balancer integrations find the subnets. */
export function subnetTags(clusterName: string, tier: "public" | "private"): Record<string, string> {
  return {
    [`kubernetes.io/cluster/${clusterName}`]: "shared",
    [tier === "public" ? "kubernetes.io/role/elb" : "kubernetes.io/role/internal-elb"]: "1",
  };
}

export class Network extends pulumi.ComponentResource {
  readonly vpcId: pulumi.Output<string>;
  readonly privateSubnetIds: pulumi.Output<string>[];
  readonly publicSubnetIds: pulumi.Output<string>[];

  constructor(name: string, args: NetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("ai-mesh:index:Network", name, {}, opts);
    const existing = args.network.existing;
    if (existing) {
      this.vpcId = pulumi.output(existing.vpcId);
      this.privateSubnetIds = existing.privateSubnetIds.map((id) => pulumi.output(id));
      this.publicSubnetIds = existing.publicSubnetIds.map((id) => pulumi.output(id));
      this.tagExistingSubnets(name, args.clusterName, existing.privateSubnetIds, "private");
      this.tagExistingSubnets(name, args.clusterName, existing.publicSubnetIds, "public");
    } else {
      const created = this.createVpc(name, args);
      this.vpcId = created.vpcId;
      this.privateSubnetIds = created.privateSubnetIds;
      this.publicSubnetIds = created.publicSubnetIds;
    }
    this.registerOutputs({
      vpcId: this.vpcId,
      privateSubnetIds: this.privateSubnetIds,
      publicSubnetIds: this.publicSubnetIds,
    });
  }

  private tagExistingSubnets(name: string, clusterName: string, subnetIds: string[], tier: "public" | "private") {
    for (const subnetId of subnetIds) {
      for (const [key, value] of Object.entries(subnetTags(clusterName, tier))) {
        new aws.ec2.Tag(`${name}-${subnetId}-${key}`, { resourceId: subnetId, key, value }, { parent: this });
      }
    }
  }

  private createVpc(name: string, args: NetworkArgs) {
    const plan = planSubnets(args.network.vpcCidr, AZ_COUNT);
    const zones = aws.getAvailabilityZonesOutput(
      { state: "available", filters: [{ name: "opt-in-status", values: ["opt-in-not-required"] }] },
      { parent: this },
    ).names;
    const vpc = new aws.ec2.Vpc(
      `${name}-vpc`,
      {
        cidrBlock: args.network.vpcCidr,
        enableDnsHostnames: true,
        enableDnsSupport: true,
        tags: { Name: `${args.clusterName}-vpc` },
      },
      { parent: this },
    );
    const internetGateway = new aws.ec2.InternetGateway(
      `${name}-igw`,
      { vpcId: vpc.id, tags: { Name: `${args.clusterName}-igw` } },
      { parent: this },
    );
    const publicRoutes = new aws.ec2.RouteTable(
      `${name}-public`,
      {
        vpcId: vpc.id,
        routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: internetGateway.id }],
        tags: { Name: `${args.clusterName}-public` },
      },
      { parent: this },
    );

    const subnet = (tier: "public" | "private", index: number) =>
      new aws.ec2.Subnet(
        `${name}-${tier}-${index}`,
        {
          vpcId: vpc.id,
          cidrBlock: plan[tier][index],
          availabilityZone: zones.apply((names) => names[index]),
          mapPublicIpOnLaunch: false,
          tags: { Name: `${args.clusterName}-${tier}-${index}`, ...subnetTags(args.clusterName, tier) },
        },
        { parent: this },
      );
    const publicSubnets = plan.public.map((_, i) => subnet("public", i));
    const privateSubnets = plan.private.map((_, i) => subnet("private", i));
    publicSubnets.forEach(
      (s, i) =>
        new aws.ec2.RouteTableAssociation(
          `${name}-public-${i}`,
          { subnetId: s.id, routeTableId: publicRoutes.id },
          { parent: this },
        ),
    );

    // One NAT gateway is cheaper (dev); one per AZ survives an AZ outage (production).
    const natCount = args.network.natGateways === "perAz" ? AZ_COUNT : 1;
    const natGateways = Array.from({ length: natCount }, (_, i) => {
      const eip = new aws.ec2.Eip(
        `${name}-nat-${i}`,
        { domain: "vpc", tags: { Name: `${args.clusterName}-nat-${i}` } },
        { parent: this },
      );
      return new aws.ec2.NatGateway(
        `${name}-nat-${i}`,
        { allocationId: eip.id, subnetId: publicSubnets[i].id, tags: { Name: `${args.clusterName}-nat-${i}` } },
        { parent: this, dependsOn: [internetGateway] },
      );
    });
    privateSubnets.forEach((s, i) => {
      const routes = new aws.ec2.RouteTable(
        `${name}-private-${i}`,
        {
          vpcId: vpc.id,
          routes: [{ cidrBlock: "0.0.0.0/0", natGatewayId: natGateways[i % natCount].id }],
          tags: { Name: `${args.clusterName}-private-${i}` },
        },
        { parent: this },
      );
      new aws.ec2.RouteTableAssociation(
        `${name}-private-${i}`,
        { subnetId: s.id, routeTableId: routes.id },
        { parent: this },
      );
    });

    return {
      vpcId: vpc.id,
      privateSubnetIds: privateSubnets.map((s) => s.id),
      publicSubnetIds: publicSubnets.map((s) => s.id),
    };
  }
}
