// The preprocessing the detector expects: the image upright (EXIF orientation applied), stretched
// to a square of its input size, as packed 8-bit RGB. Stretching keeps box coordinates simple: the
// detector's normalised boxes map straight back onto the upright original. Before decoding, the
// memory the decode will take is reserved, so concurrent uploads queue instead of exhausting memory.
import sharp from "sharp";
import { mib, type Release } from "../common/admission";
import { HttpError } from "../common/http";
import { ACCEPTED } from "../common/imageTypes";

// One image at a time per libvips pipeline (admission decides how many run), and no operation cache:
// it keeps decoded pixels of inputs that never come back, and is memory a container does not have.
sharp.concurrency(1);
sharp.cache(false);

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

/** Reserves `bytes` of decode memory; waits in line, or throws 503 (busy) or 413 (never fits). */
export type Reserve = (bytes: number, what: string) => Promise<Release>;

/** What this service decodes, by the name sharp gives the format. */
const FORMATS: Record<string, string> = {
  jpeg: "JPEG",
  png: "PNG",
  webp: "WebP",
  gif: "GIF",
  tiff: "TIFF",
  heif: "AVIF/HEIF",
};

/** The format its first bytes announce: decoders are only handed what claims to be an image they know. */
export function sniffFormat(bytes: Buffer): keyof typeof FORMATS | "svg" | undefined {
  const ascii = (start: number, end: number) => bytes.subarray(start, end).toString("latin1");
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return "jpeg";
  if (ascii(0, 8) === "\x89PNG\r\n\x1a\n") return "png";
  if (ascii(0, 6) === "GIF87a" || ascii(0, 6) === "GIF89a") return "gif";
  if (ascii(0, 4) === "RIFF" && ascii(8, 12) === "WEBP") return "webp";
  if (ascii(0, 4) === "II*\0" || ascii(0, 4) === "MM\0*") return "tiff";
  if (ascii(4, 8) === "ftyp" && /^(avif|avis|heic|heix|mif1|msf1)$/.test(ascii(8, 12))) return "heif";
  if (/^(\ufeff)?\s*<(\?xml|svg|!DOCTYPE svg)/i.test(bytes.subarray(0, 256).toString("utf8"))) return "svg";
  return undefined;
}

/** Samples per pixel a JPEG decoder holds: its components, thinned by chroma subsampling. */
function jpegSamples(chromaSubsampling: string | undefined, channels: number): number {
  if (channels === 1) return 1;
  return { "4:2:0": 1.5, "4:2:2": 2, "4:4:0": 2, "4:1:1": 1.5 }[chromaSubsampling ?? ""] ?? channels;
}

/**
 * The memory decoding takes, in bytes: measured peak resident growth per pixel with sharp 0.35 on
 * 40-megapixel images (progressive JPEG 4:2:0 3.1, 4:4:4 6.1, baseline JPEG 0.1 with shrink-on-load,
 * PNG 1.0, interlaced PNG 3.7, PNG with alpha 1.5, GIF 6.8, TIFF 1.1), a quarter on top, plus the
 * pipeline's own buffers. Progressive JPEGs keep every DCT coefficient (2 bytes per sample) until
 * the last scan: that is what pushed the service out of memory with a few small uploads.
 */
export function decodeCost(m: {
  format: string;
  width: number;
  height: number;
  channels: number;
  isProgressive?: boolean;
  chromaSubsampling?: string;
}): number {
  const perPixel: Record<string, number> = {
    jpeg: m.isProgressive ? 2 * jpegSamples(m.chromaSubsampling, m.channels) : 0.25,
    png: m.channels * (m.isProgressive ? 1.5 : 0.5),
    gif: 8,
    webp: 4,
    tiff: m.channels * 0.5,
    heif: 8,
  };
  return Math.ceil(m.width * m.height * (perPixel[m.format] ?? 8) * 1.25) + 8 * 1024 * 1024;
}

// Orientations 5 to 8 turn the image a quarter, swapping width and height.
const QUARTER_TURNS = new Set([5, 6, 7, 8]);

function unreadable(format: string): HttpError {
  return new HttpError(422, `the ${FORMATS[format]} image is truncated or corrupt: it cannot be decoded`);
}

export async function processImage(input: Buffer, options: ProcessOptions, reserve: Reserve): Promise<Processed> {
  const sniffed = sniffFormat(input);
  if (sniffed === "svg") {
    throw new HttpError(415, `SVG is not accepted: send a raster image (${ACCEPTED})`);
  }
  if (sniffed === undefined) {
    throw new HttpError(415, `the body is not an image this service decodes (${ACCEPTED})`);
  }
  let metadata: sharp.Metadata;
  try {
    // The header alone, so an image over the pixel limit gets its own answer below.
    metadata = await sharp(input, { limitInputPixels: false }).metadata();
  } catch {
    throw unreadable(sniffed);
  }
  const format = metadata.format ?? sniffed;
  if (!(format in FORMATS)) throw new HttpError(415, `${format} images are not accepted (${ACCEPTED})`);
  const width = metadata.width ?? 0;
  const height = metadata.height ?? 0;
  const turned = QUARTER_TURNS.has(metadata.orientation ?? 1);
  const [originalWidth, originalHeight] = turned ? [height, width] : [width, height];
  if (width * height > options.maxInputPixels) {
    throw new HttpError(
      413,
      `the image is ${originalWidth}x${originalHeight} pixels, more than ${options.maxInputPixels} pixels (MAX_INPUT_PIXELS)`,
    );
  }
  const cost = decodeCost({ ...metadata, format, width, height, channels: metadata.channels ?? 3 });
  const release = await reserve(
    cost,
    `a ${originalWidth}x${originalHeight} ${metadata.isProgressive ? "progressive " : ""}${FORMATS[format]} needs ${mib(cost)} to decode`,
  );
  try {
    const { data, info } = await sharp(input, { limitInputPixels: options.maxInputPixels, failOn: "error" })
      .rotate()
      .resize(options.size, options.size, { fit: "fill" })
      .removeAlpha()
      .toColourspace("srgb")
      .raw()
      .toBuffer({ resolveWithObject: true });
    return { rgb: data, width: info.width, height: info.height, originalWidth, originalHeight, format };
  } catch {
    throw unreadable(format);
  } finally {
    release();
  }
}
