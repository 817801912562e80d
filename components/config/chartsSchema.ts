// Where Helm charts come from: their public repositories (default), one mirror repository, a mirror
// per upstream repository, or a local directory of packaged charts (air-gapped installs).
import { z } from "zod";

/** A Helm repository: http(s) with an index.yaml, or an OCI registry path (oci://host/path). */
const repositoryUrl = z
  .string()
  .regex(/^(https?|oci):\/\/[^\s/]+(\/[^\s]*)?$/, "must be an http(s):// or oci:// repository URL");

export const chartsSchema = z
  .strictObject({
    /** A directory holding <chart>-<version>.tgz, as `helm package` names them. */
    directory: z.string().min(1).optional(),
    /** One repository (or OCI path) that serves every chart the stack installs. */
    repository: repositoryUrl.optional(),
    /** Upstream repository URL → its mirror; upstreams not listed stay as they are. */
    repositories: z.record(z.string(), repositoryUrl).optional(),
  })
  .prefault({});
