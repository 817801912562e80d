// Read access to model weights in S3 for the llm services that load from there: one IAM role per
// service, allowed to list and read its prefixes and nothing else, given to the service's
// ServiceAccount by EKS Pod Identity (so no credential is ever stored).
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { isLlm, type LlmServiceConfig, type ServicesConfig } from "../config";
import { s3Bucket } from "../config/llmSchema";
import { serviceTrustPolicy } from "./iam";

export interface S3Location {
  bucket: string;
  /** The key prefix, without a leading slash ("" for the whole bucket). */
  prefix: string;
}

/** Every S3 location a service's versions load from (its own source and version overrides). */
export function s3Sources(service: LlmServiceConfig): S3Location[] {
  const sources = [service.model.source, ...service.versions.map((v) => v.model?.source ?? service.model.source)];
  const locations = [...new Set(sources)].flatMap((source) => {
    const bucket = s3Bucket(source);
    return bucket ? [{ bucket, prefix: source.slice(`s3://${bucket}`.length).replace(/^\/+/, "") }] : [];
  });
  return locations;
}

/** List the prefixes, read their objects: the least a sync of the weights needs. */
export function modelReadPolicy(partition: string, locations: S3Location[]): string {
  const arn = (bucket: string, key = "") => `arn:${partition}:s3:::${bucket}${key}`;
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "ReadModelObjects",
        Effect: "Allow",
        Action: ["s3:GetObject"],
        Resource: locations.map((l) => arn(l.bucket, `/${l.prefix}*`)),
      },
      ...locations.map((l, i) => ({
        Sid: `ListModelPrefix${i}`,
        Effect: "Allow",
        Action: ["s3:ListBucket"],
        Resource: arn(l.bucket),
        Condition: { StringLike: { "s3:prefix": [`${l.prefix}*`] } },
      })),
    ],
  });
}

export interface ModelAccessArgs {
  clusterName: pulumi.Input<string>;
  partition: pulumi.Input<string>;
  services: ServicesConfig;
}

/** Per service key, what its model servers must wait for (the Pod Identity association). */
export type ModelAccess = Record<string, pulumi.Resource[]>;

export function modelAccess(name: string, args: ModelAccessArgs, opts: pulumi.CustomResourceOptions): ModelAccess {
  const access: ModelAccess = {};
  for (const service of args.services.list.filter(isLlm)) {
    const locations = s3Sources(service);
    if (locations.length === 0) continue;
    const role = new aws.iam.Role(
      `${name}-${service.app}`,
      {
        description: `${service.app}: read model weights from S3 (EKS Pod Identity)`,
        assumeRolePolicy: serviceTrustPolicy("pods.eks.amazonaws.com", ["sts:AssumeRole", "sts:TagSession"]),
      },
      opts,
    );
    const policy = new aws.iam.RolePolicy(
      `${name}-${service.app}`,
      { role: role.name, policy: pulumi.output(args.partition).apply((p) => modelReadPolicy(p, locations)) },
      opts,
    );
    const association = new aws.eks.PodIdentityAssociation(
      `${name}-${service.app}`,
      {
        clusterName: args.clusterName,
        namespace: args.services.namespace,
        serviceAccount: service.app,
        roleArn: role.arn,
      },
      { ...opts, dependsOn: [policy] },
    );
    access[service.key] = [association];
  }
  return access;
}
