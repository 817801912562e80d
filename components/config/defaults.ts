// What a stack gets when it says nothing: the design's three AI services (images built from
// services/ and published by .github/workflows/images.yml) and the call graph between them.
import { INGRESS_CALLER } from "../core/names";

/** Where the images workflow publishes; use your own registry by naming your images in the stack. */
export const IMAGE_REGISTRY = "ghcr.io/ai-mesh";
export const SERVICES_VERSION = "0.1.0";

const image = (service: string) => `${IMAGE_REGISTRY}/ai-mesh-${service}:${SERVICES_VERSION}`;

/**
 * object-detector's default model: SSD MobileNet v1 trained on COCO (TensorFlow Object Detection
 * API, Apache-2.0), int8 QDQ, from the ONNX Model Zoo at a pinned commit. The checksum is the Git
 * LFS object's SHA-256; the service refuses any other file. GitHub serves it from
 * media.githubusercontent.com, so both hosts are egress.
 */
export const DEFAULT_MODEL = {
  env: {
    MODEL_URL:
      "https://github.com/onnx/models/raw/2a67a85e670e61bf9819e9df6dae3771974552ff/validated/vision/object_detection_segmentation/ssd-mobilenetv1/model/ssd_mobilenet_v1_13-qdq.onnx",
    MODEL_SHA256: "e5caee2a4bcd7ac7e3d929febaabf1cff9210717abbf56e452c0c496c60ada9a",
  },
  egress: ["github.com", "media.githubusercontent.com"],
};

/**
 * The model servers an llm service runs when its versions name no image. vLLM v0.24.0 is published
 * on Docker Hub (vllm/vllm-openai) and exports the V1 metric names the platform reads
 * (vllm:kv_cache_usage_perc, vllm:num_requests_waiting, vllm:time_to_first_token_seconds,
 * vllm:request_time_per_output_token_seconds). llm-d-inference-sim v0.10.2 (ghcr.io, released by
 * llm-d in July 2026) answers the same API with the same metric names on a CPU, for laptops.
 */
export const LLM_IMAGES = {
  vllm: "vllm/vllm-openai:v0.24.0",
  simulator: "ghcr.io/llm-d/llm-d-inference-sim:v0.10.2",
} as const;

/** Copies an s3:// model source into the cache volume before vLLM starts (aws s3 sync). */
export const S3_SYNC_IMAGE = "amazon/aws-cli:2.27.9";

export const DEFAULT_SERVICES = {
  web: { profile: "frontend", versions: [{ name: "v1", image: image("web"), weight: 100 }] },
  imageProcessor: {
    profile: "cpu-inference",
    versions: [{ name: "v1", image: image("image-processor"), weight: 100 }],
  },
  objectDetector: {
    profile: "gpu-inference",
    versions: [{ name: "v1", image: image("object-detector"), weight: 100 }],
    ...DEFAULT_MODEL,
  },
};

/** The design's call graph: the edge to web; web to image-processor and object-detector. */
export const DESIGN_CALL_GRAPH = [
  { from: INGRESS_CALLER, to: "web", methods: ["GET", "POST"], paths: ["/*"] },
  { from: "web", to: "imageProcessor", methods: ["POST"], paths: ["/process"] },
  { from: "web", to: "objectDetector", methods: ["POST"], paths: ["/detect"] },
] as const;
