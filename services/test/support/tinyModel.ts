// A tiny ONNX model with SSD MobileNet v1's signature (TensorFlow Object Detection API export):
// uint8 image_tensor:0 [1, H, W, 3] in; detection_boxes:0, detection_classes:0, detection_scores:0
// and num_detections:0 out. Each detection's score is a weighted sum of the image's mean red, green
// and blue: a red image finds the person, a blue one the dog, a white one all three, out of score
// order; a black one nothing. Swapped channels, a wrong ranking or threshold all show.
import { createHash } from "node:crypto";
import { onnx } from "onnx-proto";

export const TINY_BOXES = [
  [0.1, 0.2, 0.5, 0.6], // [ymin, xmin, ymax, xmax]
  [0.0, 0.0, 1.0, 1.0],
  [0.5, 0.5, 0.9, 0.8],
];
export const TINY_CLASSES = [1, 18, 17]; // person, dog, cat
/** score[d] = Σ weight[channel][d] × mean(channel) / 255: rows red, green, blue; columns person, dog, cat. */
export const TINY_SCORE_WEIGHTS = [
  [0.9, 0.0, 0.25],
  [0.0, 0.0, 0.25],
  [0.0, 0.95, 0.25],
];

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
  const { INT, INTS } = onnx.AttributeProto.AttributeType;
  const graph: onnx.IGraphProto = {
    name: "tiny-ssd",
    initializer: [
      floats("boxes", [1, 3, 4], TINY_BOXES.flat()),
      floats("classes", [1, 3], TINY_CLASSES),
      floats("count", [1], [TINY_CLASSES.length]),
      floats("weights", [3, 3], TINY_SCORE_WEIGHTS.flat()),
      floats("full_scale", [], [255]),
    ],
    node: [
      node("Cast", ["image_tensor:0"], ["pixels"], [{ name: "to", type: INT, i: FLOAT }]),
      // Mean over height and width: [batch, 3], one value per channel in the order the pixels come.
      node(
        "ReduceMean",
        ["pixels"],
        ["channel_means"],
        [
          { name: "axes", type: INTS, ints: [1, 2] },
          { name: "keepdims", type: INT, i: 0 },
        ],
      ),
      node("Div", ["channel_means", "full_scale"], ["channels"]),
      node("MatMul", ["channels", "weights"], ["detection_scores:0"]),
      node("Identity", ["boxes"], ["detection_boxes:0"]),
      node("Identity", ["classes"], ["detection_classes:0"]),
      node("Identity", ["count"], ["num_detections:0"]),
    ],
    input: [{ name: "image_tensor:0", type: tensorType(inputType, ["batch", "height", "width", 3]) }],
    output: [
      { name: "detection_boxes:0", type: tensorType(FLOAT, ["batch", 3, 4]) },
      { name: "detection_classes:0", type: tensorType(FLOAT, ["batch", 3]) },
      { name: "detection_scores:0", type: tensorType(FLOAT, ["batch", 3]) },
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
