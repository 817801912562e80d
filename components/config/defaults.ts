// What a stack gets when it says nothing: the design's three AI services (images built from
// services/ and published by .github/workflows/images.yml) and the call graph between them.
import { INGRESS_CALLER } from "../names";

/** Where the images workflow publishes; use your own registry by naming your images in the stack. */
export const IMAGE_REGISTRY = "ghcr.io/ai-mesh";
export const SERVICES_VERSION = "0.1.0";

const image = (service: string) => `${IMAGE_REGISTRY}/ai-mesh-${service}:${SERVICES_VERSION}`;

export const DEFAULT_SERVICES = {
  web: { profile: "frontend", versions: [{ name: "v1", image: image("web"), weight: 100 }] },
  imageProcessor: {
    profile: "cpu-inference",
    versions: [{ name: "v1", image: image("image-processor"), weight: 100 }],
  },
  objectDetector: {
    profile: "gpu-inference",
    versions: [{ name: "v1", image: image("object-detector"), weight: 100 }],
  },
};

/** The design's call graph: the edge to web; web to image-processor and object-detector. */
export const DESIGN_CALL_GRAPH = [
  { from: INGRESS_CALLER, to: "web", methods: ["GET", "POST"], paths: ["/*"] },
  { from: "web", to: "imageProcessor", methods: ["POST"], paths: ["/process"] },
  { from: "web", to: "objectDetector", methods: ["POST"], paths: ["/detect"] },
] as const;
