// The image types the pipeline takes: what image-processor decodes, as the upload page offers them.
export const ACCEPTED_IMAGES = [
  { mime: "image/jpeg", name: "JPEG" },
  { mime: "image/png", name: "PNG" },
  { mime: "image/webp", name: "WebP" },
  { mime: "image/gif", name: "GIF" },
  { mime: "image/avif", name: "AVIF" },
  { mime: "image/tiff", name: "TIFF" },
] as const;

/** "JPEG, PNG, WebP, GIF, AVIF or TIFF": how people are told what they may send. */
export const ACCEPTED = `${ACCEPTED_IMAGES.slice(0, -1)
  .map((image) => image.name)
  .join(", ")} or ${ACCEPTED_IMAGES.at(-1)!.name}`;
