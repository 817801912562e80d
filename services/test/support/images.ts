// Test images made with sharp: solid colours in any format, and a JPEG with an EXIF orientation.
import sharp from "sharp";

export function solid(
  width: number,
  height: number,
  shade: number,
  format: "png" | "jpeg" | "webp" = "png",
): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: shade, g: shade, b: shade } } })
    .toFormat(format)
    .toBuffer();
}

/** A landscape JPEG whose EXIF says "rotate 90° clockwise" (orientation 6): upright, it is portrait. */
export function rotatedJpeg(width: number, height: number): Promise<Buffer> {
  return sharp({ create: { width, height, channels: 3, background: { r: 200, g: 100, b: 50 } } })
    .jpeg()
    .withMetadata({ orientation: 6 })
    .toBuffer();
}
