// Test images made with sharp: non-uniform ones whose pixels tell right from wrong (orientation,
// channel order, stretch or crop), and the worst case for memory: a progressive 40-megapixel JPEG.
import sharp from "sharp";

export type Rgb = [number, number, number];
export const RED: Rgb = [255, 0, 0];
export const GREEN: Rgb = [0, 255, 0];
export const BLUE: Rgb = [0, 0, 255];
export const WHITE: Rgb = [255, 255, 255];

/** A flat colour in any format. */
export function solid(
  width: number,
  height: number,
  colour: number | Rgb,
  format: "png" | "jpeg" | "webp" = "png",
): Promise<Buffer> {
  const [r, g, b] = typeof colour === "number" ? [colour, colour, colour] : colour;
  return sharp({ create: { width, height, channels: 3, background: { r, g, b } } })
    .toFormat(format)
    .toBuffer();
}

/** Vertical bands, left to right, each `widths[i]` pixels wide: e.g. red 200, blue 400. */
export async function bands(height: number, parts: [width: number, colour: Rgb][]): Promise<Buffer> {
  const width = parts.reduce((sum, [w]) => sum + w, 0);
  const raw = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    let x = 0;
    for (const [w, colour] of parts) {
      for (let i = 0; i < w; i++, x++) raw.set(colour, (y * width + x) * 3);
    }
  }
  return sharp(raw, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
}

/** A PNG re-encoded as a JPEG whose EXIF orientation says how to turn it upright (6: 90° clockwise). */
export async function withOrientation(png: Buffer, orientation: number): Promise<Buffer> {
  return sharp(png).jpeg({ quality: 95 }).withMetadata({ orientation }).toBuffer();
}

/** One RGB pixel of packed 8-bit RGB `width` pixels wide. */
export function pixel(rgb: Buffer, width: number, x: number, y: number): Rgb {
  const at = (y * width + x) * 3;
  return [rgb[at], rgb[at + 1], rgb[at + 2]];
}

/** Whether two colours match within a JPEG's tolerance. */
export function near(actual: Rgb, expected: Rgb, tolerance = 24): boolean {
  return actual.every((value, i) => Math.abs(value - expected[i]) <= tolerance);
}

/**
 * The upload that used to take image-processor past its memory limit: 7300x5479 (just under the
 * 40-megapixel MAX_INPUT_PIXELS), progressive, in about 650 KB. A progressive JPEG's decoder keeps
 * every DCT coefficient until the last scan: about 120 MiB for this one.
 */
export async function worstCaseJpeg(): Promise<Buffer> {
  const [w, h] = [73, 55];
  const tile = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) tile.set([(x * 7) & 255, (y * 13) & 255, ((x ^ y) * 5) & 255], (y * w + x) * 3);
  }
  return sharp(tile, { raw: { width: w, height: h, channels: 3 } })
    .resize(7300, 5479, { kernel: "nearest" })
    .jpeg({ progressive: true, quality: 80 })
    .toBuffer();
}

/**
 * A 40-megapixel photo-sized upload: 7300x5479 baseline JPEG of smooth noise, about 9 MiB, far more
 * than socket buffers hold, so a service that answers before reading it really leaves bytes unsent.
 */
export async function largeJpeg(): Promise<Buffer> {
  const [w, h] = [731, 549];
  const noise = Buffer.alloc(w * h * 3);
  for (let i = 0; i < noise.length; i++) noise[i] = (i * 2654435761) >>> 24;
  return sharp(noise, { raw: { width: w, height: h, channels: 3 } })
    .resize(7300, 5479, { kernel: "cubic" })
    .jpeg({ quality: 90 })
    .toBuffer();
}

/** A PNG with an alpha channel: `colour` fully opaque on the left `share`, fully transparent on the right. */
export async function halfTransparent(width: number, height: number, colour: Rgb, share = 0.5): Promise<Buffer> {
  const rgba = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) rgba.set([...colour, x < width * share ? 255 : 0], (y * width + x) * 4);
  }
  return sharp(rgba, { raw: { width, height, channels: 4 } })
    .png()
    .toBuffer();
}
