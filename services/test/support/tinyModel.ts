// A tiny ONNX model with SSD MobileNet v1's signature (TensorFlow Object Detection API export):
// uint8 image_tensor:0 [1, H, W, 3] in; detection_boxes:0, detection_classes:0, detection_scores:0
// and num_detections:0 out. Its scores scale with the image's brightness, so a white image finds
// both objects and a black one nothing: enough to prove the whole path without a 10 MB download.
import { createHash } from "node:crypto";
import { onnx } from "onnx-proto";

export const TINY_BOXES = [
  [0.1, 0.2, 0.5, 0.6], // [ymin, xmin, ymax, xmax]
  [0.0, 0.0, 1.0, 1.0],
];
export const TINY_CLASSES = [1, 18]; // person, dog
export const TINY_SCORE_WEIGHTS = [1.0, 0.3]; // score = weight × mean brightness

export const { FLOAT, UINT8 } = onnx.TensorProto.DataType;

function floats(name: string, dims: number[], values: number[]): onnx.ITensorProto {
  return { name, dataType: FLOAT, dims, floatData: values };
}

function tensorType(elemType: number, dims: (number | string)[]): onnx.ITypeProto {
  return {
    tensorType: {
      elemType,
      shape: { dim: dims.map((dim) => (typeof dim === "number" ? { dimValue: dim } : { dimParam: dim })) },
    },
  };
}

/** `inputType` other than UINT8 makes a model this service must refuse. */
export function tinyDetectorModel(inputType: number = UINT8): Buffer {
  const node = (opType: string, input: string[], output: string[], attribute: onnx.IAttributeProto[] = []) => ({
    opType,
    input,
    output,
    name: output[0],
    attribute,
  });
  const { INT } = onnx.AttributeProto.AttributeType;
  const graph: onnx.IGraphProto = {
    name: "tiny-ssd",
    initializer: [
      floats("boxes", [1, 2, 4], TINY_BOXES.flat()),
      floats("classes", [1, 2], TINY_CLASSES),
      floats("count", [1], [TINY_CLASSES.length]),
      floats("weights", [1, 2], TINY_SCORE_WEIGHTS),
      floats("full_scale", [], [255]),
    ],
    node: [
      node("Cast", ["image_tensor:0"], ["pixels"], [{ name: "to", type: INT, i: FLOAT }]),
      node("ReduceMean", ["pixels"], ["mean"], [{ name: "keepdims", type: INT, i: 0 }]),
      node("Div", ["mean", "full_scale"], ["brightness"]),
      node("Mul", ["brightness", "weights"], ["detection_scores:0"]),
      node("Identity", ["boxes"], ["detection_boxes:0"]),
      node("Identity", ["classes"], ["detection_classes:0"]),
      node("Identity", ["count"], ["num_detections:0"]),
    ],
    input: [{ name: "image_tensor:0", type: tensorType(inputType, ["batch", "height", "width", 3]) }],
    output: [
      { name: "detection_boxes:0", type: tensorType(FLOAT, ["batch", 2, 4]) },
      { name: "detection_classes:0", type: tensorType(FLOAT, ["batch", 2]) },
      { name: "detection_scores:0", type: tensorType(FLOAT, ["batch", 2]) },
      { name: "num_detections:0", type: tensorType(FLOAT, ["batch"]) },
    ],
  };
  const model = onnx.ModelProto.create({
    irVersion: 7,
    producerName: "ai-mesh tests",
    opsetImport: [{ domain: "", version: 13 }],
    graph,
  });
  return Buffer.from(onnx.ModelProto.encode(model).finish());
}

export function sha256(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("hex");
}
