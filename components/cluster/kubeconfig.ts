// The kubeconfig for an EKS cluster: token from `aws eks get-token`, never a static credential.

export interface KubeconfigArgs {
  clusterName: string;
  endpoint: string;
  certificateAuthorityData: string;
  region: string;
  roleArn?: string;
  profile?: string;
}

export function eksKubeconfig(args: KubeconfigArgs): string {
  const tokenArgs = ["eks", "get-token", "--cluster-name", args.clusterName, "--region", args.region];
  if (args.roleArn) tokenArgs.push("--role-arn", args.roleArn);
  const env = args.profile ? [{ name: "AWS_PROFILE", value: args.profile }] : undefined;
  return JSON.stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      {
        name: args.clusterName,
        cluster: { server: args.endpoint, "certificate-authority-data": args.certificateAuthorityData },
      },
    ],
    contexts: [{ name: args.clusterName, context: { cluster: args.clusterName, user: args.clusterName } }],
    "current-context": args.clusterName,
    users: [
      {
        name: args.clusterName,
        user: {
          exec: {
            apiVersion: "client.authentication.k8s.io/v1beta1",
            command: "aws",
            args: tokenArgs,
            ...(env ? { env } : {}),
            interactiveMode: "Never",
          },
        },
      },
    ],
  });
}
