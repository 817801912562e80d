// Reusable zod field types of the stack config, with messages that say what is allowed.
import { z } from "zod";
import { isDuration } from "./durations";
import { unpinnedImageReason } from "../../policy/shared/images";

export const dnsLabel = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, "must be a DNS-1123 label (lowercase letters, digits and '-')");
export const dnsSubdomain = z
  .string()
  .max(253)
  .regex(
    /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/,
    "must be a DNS-1123 subdomain (lowercase letters, digits, '-' and '.')",
  );
/** A fully qualified host name outside the cluster, such as github.com (no wildcards, no port). */
export const externalHost = z
  .string()
  .max(253)
  .regex(
    /^([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z]([-a-z0-9]*[a-z0-9])?$/,
    "must be a fully qualified host name such as github.com (lowercase, no wildcard, no port)",
  );
export const duration = z.string().refine(isDuration, "must be a duration such as 500ms, 10s, 5m or 1h");
export const quantity = z
  .string()
  .regex(/^\d+(\.\d+)?(m|k|Ki|Mi|Gi|Ti|M|G|T)?$/, "must be a Kubernetes quantity such as 500m or 2Gi");
export const cidr = z.union([z.cidrv4(), z.cidrv6()], { error: "must be an IPv4 or IPv6 CIDR such as 203.0.113.0/24" });
export const roleArn = z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/, "must be an IAM role ARN");
export const percent = z.number().min(0).max(100);
export const image = z.string().superRefine((value, ctx) => {
  const reason = unpinnedImageReason(value);
  if (reason) ctx.addIssue({ code: "custom", message: `image ${reason}` });
});
