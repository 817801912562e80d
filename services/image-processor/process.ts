// The preprocessing the detector expects: the image upright (EXIF orientation applied), stretched
// to a square of its input size, as packed 8-bit RGB. Stretching keeps box coordinates simple: the
// detector's normalised boxes map straight back onto the upright original.
import sharp from "sharp";
import { HttpError } from "../common/http";

export interface Processed {
  rgb: Buffer;
  width: number;
  height: number;
  /** The upright original's size, for clients that draw boxes in pixels. */
  originalWidth: number;
  originalHeight: number;
  format: string;
}

export interface ProcessOptions {
  size: number;
  maxInputPixels: number;
}

// Orientations 5 to 8 turn the image a quarter, swapping width and height.
const QUARTER_TURNS = new Set([5, 6, 7, 8]);

export async function processImage(input: Buffer, options: ProcessOptions): Promise<Processed> {
  let metadata: sharp.Metadata;
  try {
    // The header alone, so an image over the pixel limit gets its own answer below.
    metadata = await sharp(input, { limitInputPixels: false }).metadata();
  } catch (error) {
    throw new HttpError(
      415,
      `the body is not an image this service can decode (JPEG, PNG, WebP, GIF, AVIF or TIFF): ${(error as Error).message}`,
    );
  }
  const turned = QUARTER_TURNS.has(metadata.orientation ?? 1);
  const originalWidth = (turned ? metadata.height : metadata.width) ?? 0;
  const originalHeight = (turned ? metadata.width : metadata.height) ?? 0;
  if (originalWidth * originalHeight > options.maxInputPixels) {
    throw new HttpError(
      413,
      `the image is ${originalWidth}x${originalHeight} pixels, more than ${options.maxInputPixels} (MAX_INPUT_PIXELS)`,
    );
  }
  try {
    const { data, info } = await sharp(input, { limitInputPixels: options.maxInputPixels, failOn: "error" })
      .rotate()
      .resize(options.size, options.size, { fit: "fill" })
      .removeAlpha()
      .toColourspace("srgb")
      .raw()
      .toBuffer({ resolveWithObject: true });
    return {
      rgb: data,
      width: info.width,
      height: info.height,
      originalWidth,
      originalHeight,
      format: metadata.format ?? "unknown",
    };
  } catch (error) {
    throw new HttpError(422, `the image could not be decoded: ${(error as Error).message}`);
  }
}
