// The canary's pause between steps: many waits leave no abort listener behind, Ctrl-C ends one Interrupted.
import { getEventListeners } from "events";
import { Interrupted } from "../canary/driver";
import { interruptibleWait } from "../canary/wait";

describe("the canary's wait", () => {
  it("keeps the abort listeners flat over many waits, with no MaxListenersExceededWarning", async () => {
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on("warning", onWarning);
    try {
      const controller = new AbortController();
      const counts: number[] = [];
      for (let i = 0; i < 25; i++) {
        await interruptibleWait(1, controller.signal);
        counts.push(getEventListeners(controller.signal, "abort").length);
      }
      expect(counts).toEqual(Array.from({ length: 25 }, () => 0));
      await new Promise((resolve) => setImmediate(resolve));
      expect(warnings).toEqual([]);
    } finally {
      process.off("warning", onWarning);
    }
  });

  it("ends Interrupted on abort, at once, and when already aborted", async () => {
    const controller = new AbortController();
    const started = Date.now();
    const waiting = interruptibleWait(60_000, controller.signal);
    controller.abort();
    await expect(waiting).rejects.toBeInstanceOf(Interrupted);
    expect(Date.now() - started).toBeLessThan(1000);
    await expect(interruptibleWait(60_000, controller.signal)).rejects.toBeInstanceOf(Interrupted);
    await expect(interruptibleWait(1)).resolves.toBeUndefined();
  });
});
