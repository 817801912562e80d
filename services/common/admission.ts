// Shedding load instead of dying: a cap on requests in flight, and a budget of bytes that expensive
// work reserves before it starts, waiting a bounded time in line. Whatever cannot be admitted gets
// 503 with Retry-After, which Envoy and clients retry elsewhere or later.
import { HttpError } from "./http";

/** Seconds a refused client should wait before trying again. */
export const RETRY_AFTER_SECONDS = 1;

export function busy(message: string): HttpError {
  return new HttpError(503, message, { "retry-after": String(RETRY_AFTER_SECONDS) });
}

export type Release = () => void;

/** At most `max` holders at once; one more is refused at once. */
export class InFlightLimit {
  private held = 0;

  constructor(
    readonly max: number,
    private readonly setting = "MAX_IN_FLIGHT",
  ) {}

  enter(): Release {
    if (this.held >= this.max) throw busy(`busy: ${this.max} requests in flight (${this.setting}); retry shortly`);
    this.held++;
    let released = false;
    return () => {
      if (!released) this.held--;
      released = true;
    };
  }

  get inFlight(): number {
    return this.held;
  }
}

interface Waiter {
  bytes: number;
  admit: (release: Release) => void;
}

/**
 * A budget of bytes (memory that decoding will take), granted first come, first served. A request
 * that can never fit is refused with 413; one that does not fit now waits up to `waitMs`, then 503.
 */
export class ByteBudget {
  private used = 0;
  private readonly line: Waiter[] = [];

  constructor(
    readonly bytes: number,
    private readonly waitMs: number,
  ) {}

  /** `what` says what needs the bytes, for the refusal ("a 7300x5479 progressive JPEG needs 156 MiB to decode"). */
  async reserve(bytes: number, what: string): Promise<Release> {
    if (bytes > this.bytes) {
      throw new HttpError(413, `${what}, more than this instance's whole budget of ${mibDown(this.bytes)}`);
    }
    if (this.line.length === 0 && this.used + bytes <= this.bytes) return this.grant(bytes);
    return new Promise<Release>((resolve, reject) => {
      const waiter: Waiter = { bytes, admit: resolve };
      const timer = setTimeout(() => {
        this.line.splice(this.line.indexOf(waiter), 1);
        reject(busy(`busy: ${what}, and the memory stayed in use for ${this.waitMs / 1000} s; retry shortly`));
      }, this.waitMs);
      waiter.admit = (release) => {
        clearTimeout(timer);
        resolve(release);
      };
      this.line.push(waiter);
    });
  }

  get inUse(): number {
    return this.used;
  }

  private grant(bytes: number): Release {
    this.used += bytes;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.used -= bytes;
      // First come, first served: the head of the line goes first, or nobody does.
      while (this.line.length > 0 && this.used + this.line[0].bytes <= this.bytes) {
        const next = this.line.shift()!;
        next.admit(this.grant(next.bytes));
      }
    };
  }
}

/** What a thing needs, rounded up: 227.3 MiB needs "228 MiB". */
export const mib = (bytes: number) => `${Math.ceil(bytes / (1024 * 1024))} MiB`;
/**
 * What a budget holds, rounded down: 227.9 MiB holds "227 MiB". A need over the budget then always
 * reads larger than it (never "needs 228 MiB, more than … 228 MiB").
 */
export const mibDown = (bytes: number) => `${Math.floor(bytes / (1024 * 1024))} MiB`;
