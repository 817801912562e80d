// Container image references: "registry[:port]/repo[:tag][@sha256:digest]" (shared, see README.md here).
export interface ImageRef {
  repository: string;
  tag?: string;
  digest?: string;
}

export function parseImage(reference: string): ImageRef {
  const [nameAndTag, digest] = reference.split("@", 2);
  const lastSlash = nameAndTag.lastIndexOf("/");
  const lastColon = nameAndTag.lastIndexOf(":");
  // A colon before the last slash belongs to the registry host (host:port), not a tag.
  const hasTag = lastColon > lastSlash;
  return {
    repository: hasTag ? nameAndTag.slice(0, lastColon) : nameAndTag,
    tag: hasTag ? nameAndTag.slice(lastColon + 1) : undefined,
    digest,
  };
}

/** Why an image reference is not reproducible, or undefined when it is pinned. */
export function unpinnedImageReason(reference: string): string | undefined {
  const { tag, digest } = parseImage(reference);
  if (digest !== undefined) {
    return /^sha256:[a-f0-9]{64}$/.test(digest) ? undefined : `digest "${digest}" is not sha256:<64 hex>`;
  }
  if (tag === undefined) return "has no tag or digest (pin a version tag or a sha256 digest)";
  if (tag === "latest") return 'uses the "latest" tag (pin a version tag or a sha256 digest)';
  return undefined;
}
