// IAM documents and managed-policy ARNs, as pure functions of the partition.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** What every node runs with: join the cluster, run the VPC CNI, pull images, SSM instead of SSH. */
export const NODE_POLICIES = [
  "AmazonEKSWorkerNodePolicy",
  "AmazonEKS_CNI_Policy",
  "AmazonEC2ContainerRegistryReadOnly",
  "AmazonSSMManagedInstanceCore",
];

/** A trust policy letting an AWS service principal assume the role. */
export function serviceTrustPolicy(service: string, actions: string[] = ["sts:AssumeRole"]): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: actions }],
  });
}

export function managedPolicyArn(partition: pulumi.Input<string>, name: string): pulumi.Output<string> {
  return pulumi.interpolate`arn:${partition}:iam::aws:policy/${name}`;
}

/** An IAM role for a service principal with AWS managed policies attached. */
export function serviceRole(
  name: string,
  args: {
    service: string;
    actions?: string[];
    partition: pulumi.Input<string>;
    policies: string[];
    description: string;
  },
  opts: pulumi.CustomResourceOptions,
): { role: aws.iam.Role; attachments: aws.iam.RolePolicyAttachment[] } {
  const role = new aws.iam.Role(
    name,
    { assumeRolePolicy: serviceTrustPolicy(args.service, args.actions), description: args.description },
    opts,
  );
  const attachments = args.policies.map(
    (policy) =>
      new aws.iam.RolePolicyAttachment(
        `${name}-${policy.split("/").pop()}`,
        { role: role.name, policyArn: managedPolicyArn(args.partition, policy) },
        opts,
      ),
  );
  return { role, attachments };
}

/** A role EC2 nodes run as, with what every node needs (NODE_POLICIES). */
export function nodeRole(
  name: string,
  partition: pulumi.Input<string>,
  description: string,
  opts: pulumi.CustomResourceOptions,
): ReturnType<typeof serviceRole> {
  return serviceRole(name, { service: "ec2.amazonaws.com", partition, policies: NODE_POLICIES, description }, opts);
}
