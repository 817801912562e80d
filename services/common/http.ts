// Request and response helpers shared by the three services.
import type { IncomingMessage, ServerResponse } from "node:http";

/** An error the caller can fix: its status and message go back as they are. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** The body, refused with 413 once it passes `limit` bytes (before buffering the rest). */
export async function readBody(req: IncomingMessage, limit: number, limitSource = "MAX_BODY_BYTES"): Promise<Buffer> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(limit, limitSource);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw tooLarge(limit, limitSource);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks, size);
}

/** The body of an upload, which must not be empty. */
export async function readUpload(req: IncomingMessage, limit: number): Promise<Buffer> {
  const body = await readBody(req, limit);
  if (body.length === 0) throw new HttpError(400, "the request body is empty: send the image bytes");
  return body;
}

/** The one 413 of the three services, naming the limit and the setting it comes from. */
export function tooLarge(limit: number, limitSource = "MAX_BODY_BYTES"): HttpError {
  return new HttpError(413, `the request body is larger than ${limit} bytes (${limitSource})`);
}

export function mediaType(req: IncomingMessage): string {
  return (req.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase();
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  send(res, status, "application/json; charset=utf-8", JSON.stringify(body), headers);
}

export function send(
  res: ServerResponse,
  status: number,
  contentType: string,
  body: string | Buffer,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { "content-type": contentType, "content-length": Buffer.byteLength(body), ...headers });
  res.end(body);
}

/** The JSON error body every service answers with; web relays a downstream one as it came. */
export interface ErrorBody {
  error: string;
}

export async function errorMessage(response: Response): Promise<string> {
  const text = await response.text();
  try {
    const body = JSON.parse(text) as Partial<ErrorBody>;
    if (typeof body.error === "string") return body.error;
  } catch {
    // Not JSON (a proxy's page, say): report the status and the start of the text.
  }
  return `HTTP ${response.status}${text ? `: ${text.slice(0, 200)}` : ""}`;
}
