// Streams an upload from web's client to image-processor as it arrives, and decides who is to blame
// when it stalls. Time spent waiting on the client counts against the client (408 once it is slower
// than the pace below), time spent waiting on the upstream against the upstream (504). An upstream
// that answers before the upload is done (a 503 shed, a 413) is relayed at once and the rest not sent.
import { request, type ClientRequest, type IncomingMessage } from "node:http";
import { Transform } from "node:stream";
import { HttpError, tooLarge } from "../common/http";

export interface UploadLimits {
  maxBodyBytes: number;
  /** What every client gets to send its body, whatever its size (BODY_TIMEOUT_SECONDS). */
  bodyTimeoutMs: number;
  /** Beyond that grace, one more second per this many bytes sent (BODY_MIN_BYTES_PER_SECOND). */
  bodyMinBytesPerSecond: number;
  /** Once image-processor is called, what the client gets for the rest of its body (BODY_DEADLINE_SECONDS). */
  bodyDeadlineMs: number;
  /** How long the upstream may keep web waiting, to read the upload or to answer (DOWNSTREAM_TIMEOUT_SECONDS). */
  timeoutMs: number;
}

/**
 * The upstream is only called once this much has arrived (or the whole body, if smaller): a client
 * trickling bytes is cut off with 408 before it ever holds one of image-processor's few slots.
 */
export const START_BYTES = 64 * 1024;
/** How often the clocks are read: the 408 and 504 come at most this late. */
const TICK_MS = 100;

export function didNotAnswer(service: string, timeoutMs: number): HttpError {
  return new HttpError(504, `${service} did not answer within ${timeoutMs / 1000} s (DOWNSTREAM_TIMEOUT_SECONDS)`);
}

function tooSlow(received: number, waitedMs: number, limits: UploadLimits): HttpError {
  return new HttpError(
    408,
    `the upload is too slow: ${received} bytes in ${(waitedMs / 1000).toFixed(1)} s; after the first ` +
      `${limits.bodyTimeoutMs / 1000} s (BODY_TIMEOUT_SECONDS) send at least ${limits.bodyMinBytesPerSecond} bytes ` +
      "a second (BODY_MIN_BYTES_PER_SECOND)",
  );
}

function pastDeadline(received: number, service: string, limits: UploadLimits): HttpError {
  return new HttpError(
    408,
    `the upload is too slow: ${received} bytes so far; once ${service} is called, the rest of the body must ` +
      `arrive within ${limits.bodyDeadlineMs / 1000} s (BODY_DEADLINE_SECONDS)`,
  );
}

/**
 * POSTs `upload` to `url` with node:http and backpressure (fetch with a streamed body keeps what it
 * has read: twenty 10 MiB uploads held 180 MiB, measured). Resolves with the upstream's answer,
 * body read; rejects with an HttpError of its own (408, 413, 504) or the connection's error.
 */
export function streamUpload(
  service: string,
  url: string,
  headers: Record<string, string>,
  upload: IncomingMessage,
  limits: UploadLimits,
): Promise<Response> {
  return new Promise((resolve, reject) => {
    let received = 0;
    let outgoing: ClientRequest | undefined;
    let settled = false;
    let clientMs = 0;
    // The client's time since the upstream was called: it holds one of the upstream's slots meanwhile.
    let clientMsHoldingSlot = 0;
    let upstreamMs = 0;
    let answered = false;
    let last = Date.now();

    const meter = new Transform({
      // Holds the first START_BYTES while the upstream is not called yet.
      readableHighWaterMark: START_BYTES,
      transform(chunk: Buffer, _encoding, done) {
        received += chunk.length;
        if (received > limits.maxBodyBytes) return done(tooLarge(limits.maxBodyBytes));
        done(null, chunk);
        if (received >= START_BYTES) connect();
      },
      flush(done) {
        connect();
        done();
      },
    });

    const settle = (outcome: { error: unknown } | { response: Response }) => {
      if (settled) return;
      settled = true;
      clearInterval(clock);
      // Stop reading the client and stop sending: whatever comes now has nowhere to go.
      upload.unpipe(meter);
      meter.unpipe();
      meter.destroy();
      // A connection that carried the whole upload and its answer may serve the next one.
      if ("error" in outcome || !outgoing?.writableFinished) outgoing?.destroy();
      if ("error" in outcome) reject(outcome.error);
      else resolve(outcome.response);
    };

    function connect(): void {
      if (outgoing || settled) return;
      outgoing = request(url, { method: "POST", headers });
      outgoing.once("error", (error) => settle({ error }));
      outgoing.once("response", (answer) => void relay(answer));
      meter.pipe(outgoing);
    }

    /** Stops the upload at once (the upstream has decided), then reads the answer, which is small when early. */
    async function relay(answer: IncomingMessage): Promise<void> {
      // From here on, web waits for the upstream's body only: a stall is the upstream's (504).
      answered = true;
      upload.unpipe(meter);
      meter.unpipe();
      const chunks: Buffer[] = [];
      try {
        for await (const chunk of answer) chunks.push(chunk as Buffer);
      } catch (error) {
        return settle({ error });
      }
      const response = new Response(Buffer.concat(chunks), {
        status: answer.statusCode,
        headers: Object.entries(answer.headers).flatMap(([name, value]) =>
          value === undefined ? [] : [[name, Array.isArray(value) ? value.join(", ") : value] as [string, string]],
        ),
      });
      settle({ response });
    }

    // Whose turn it is, every tick: the upstream's once it holds the whole upload or pushes back,
    // the client's while web waits for bytes from it.
    const clock = setInterval(() => {
      const now = Date.now();
      const elapsed = now - last;
      last = now;
      const upstreamTurn =
        answered ||
        upload.complete ||
        (outgoing !== undefined && (outgoing.writableFinished || outgoing.writableNeedDrain || outgoing.destroyed));
      if (upstreamTurn) {
        upstreamMs += elapsed;
        if (upstreamMs >= limits.timeoutMs) settle({ error: didNotAnswer(service, limits.timeoutMs) });
        return;
      }
      clientMs += elapsed;
      const allowedMs = limits.bodyTimeoutMs + (1000 * received) / limits.bodyMinBytesPerSecond;
      if (clientMs > allowedMs) return settle({ error: tooSlow(received, clientMs, limits) });
      if (outgoing === undefined) return;
      clientMsHoldingSlot += elapsed;
      if (clientMsHoldingSlot > limits.bodyDeadlineMs) settle({ error: pastDeadline(received, service, limits) });
    }, TICK_MS);

    meter.once("error", (error) => settle({ error }));
    // The client went away: nobody is left to answer, and image-processor is not to blame.
    upload.once("error", () => settle({ error: new HttpError(400, "the upload broke off before its end") }));
    upload.pipe(meter);
  });
}
