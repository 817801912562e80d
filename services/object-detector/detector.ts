// Object detection with ONNX Runtime on a TensorFlow Object Detection API model (SSD MobileNet v1
// and its kin): uint8 NHWC image in; boxes, classes, scores and a count out.
import { existsSync } from "node:fs";
import * as ort from "onnxruntime-node";
import type { Logger } from "../common/log";
import { cocoLabel } from "./labels";

export type ProviderChoice = "auto" | "cuda" | "cpu";

export interface Detection {
  label: string;
  classId: number;
  score: number;
  /** Normalised to the image: 0..1 from the left and top edges. */
  box: { x: number; y: number; width: number; height: number };
}

export interface DetectOptions {
  minScore: number;
  maxDetections: number;
}

export interface Detector {
  provider: "cuda" | "cpu";
  detect(rgb: Uint8Array, width: number, height: number, options: DetectOptions): Promise<Detection[]>;
  release(): Promise<void>;
}

const OUTPUTS = ["detection_boxes", "detection_classes", "detection_scores", "num_detections"] as const;
type OutputName = (typeof OUTPUTS)[number];

/** Whether this machine exposes an NVIDIA GPU (the device plugin mounts these into the pod). */
export function gpuPresent(): boolean {
  return existsSync("/dev/nvidiactl") || existsSync("/dev/nvidia0");
}

export async function loadDetector(
  modelPath: string,
  options: { provider: ProviderChoice; threads: number; log: Logger },
): Promise<Detector> {
  const wantCuda = options.provider === "cuda" || (options.provider === "auto" && gpuPresent());
  let session: ort.InferenceSession | undefined;
  let provider: Detector["provider"] = "cpu";
  const sessionOptions = { intraOpNumThreads: options.threads, graphOptimizationLevel: "all" as const };
  if (wantCuda) {
    try {
      session = await ort.InferenceSession.create(modelPath, { ...sessionOptions, executionProviders: ["cuda"] });
      provider = "cuda";
    } catch (error) {
      if (options.provider === "cuda")
        throw new Error(`EXECUTION_PROVIDER=cuda but CUDA is unavailable: ${(error as Error).message}`);
      options.log.warn("a GPU is present but the CUDA execution provider failed to start; using the CPU", { error });
    }
  }
  session ??= await ort.InferenceSession.create(modelPath, { ...sessionOptions, executionProviders: ["cpu"] });
  const names = signature(session);
  return {
    provider,
    async detect(rgb, width, height, detectOptions) {
      const input = new ort.Tensor("uint8", rgb, [1, height, width, 3]);
      const results = await session.run({ [names.input]: input });
      try {
        return detections(names, results, detectOptions);
      } finally {
        input.dispose();
        for (const value of Object.values(results)) value.dispose();
      }
    },
    release: () => session.release(),
  };
}

interface Signature {
  input: string;
  outputs: Record<OutputName, string>;
}

/** The model's input and output names, checked against what this service knows how to read. */
function signature(session: ort.InferenceSession): Signature {
  const [input] = session.inputMetadata;
  if (session.inputMetadata.length !== 1 || !input.isTensor || input.type !== "uint8" || input.shape.length !== 4) {
    throw new Error(
      `the model's input must be one uint8 image tensor [1, height, width, 3]; it has ${describe(session.inputMetadata)}`,
    );
  }
  const outputs = {} as Record<OutputName, string>;
  for (const name of OUTPUTS) {
    const found = session.outputNames.find((candidate) => candidate.split(":")[0] === name);
    if (found === undefined) {
      throw new Error(
        `the model has no ${name} output; it has ${session.outputNames.join(", ")} (expected ${OUTPUTS.join(", ")})`,
      );
    }
    outputs[name] = found;
  }
  return { input: input.name, outputs };
}

function describe(metadata: readonly ort.InferenceSession.ValueMetadata[]): string {
  return metadata
    .map((value) => (value.isTensor ? `${value.name} ${value.type} [${value.shape.join(", ")}]` : value.name))
    .join(", ");
}

function detections(names: Signature, results: ort.InferenceSession.ReturnType, options: DetectOptions): Detection[] {
  const read = (name: OutputName) => results[names.outputs[name]].data as Float32Array;
  const boxes = read("detection_boxes");
  const classes = read("detection_classes");
  const scores = read("detection_scores");
  const count = Math.min(Math.round(read("num_detections")[0]), scores.length);
  const found: Detection[] = [];
  for (let i = 0; i < count; i++) {
    if (scores[i] < options.minScore) continue;
    // Boxes come as [ymin, xmin, ymax, xmax], normalised.
    const [top, left, bottom, right] = Array.from(boxes.subarray(i * 4, i * 4 + 4), clamp);
    const classId = Math.round(classes[i]);
    found.push({
      label: cocoLabel(classId),
      classId,
      score: round(scores[i]),
      box: { x: round(left), y: round(top), width: round(right - left), height: round(bottom - top) },
    });
  }
  return found.sort((a, b) => b.score - a.score).slice(0, options.maxDetections);
}

const clamp = (value: number) => Math.min(1, Math.max(0, value));
const round = (value: number) => Math.round(value * 10_000) / 10_000;
