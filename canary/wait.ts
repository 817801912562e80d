// The canary's pause between steps, cut short by Ctrl-C: it ends Interrupted, and leaves no abort
// listener behind (one per wait piled up past Node's limit of ten: MaxListenersExceededWarning).
import { setTimeout as sleep } from "timers/promises";
import { Interrupted } from "./driver";

export async function interruptibleWait(ms: number, signal?: AbortSignal): Promise<void> {
  try {
    // timers/promises removes its listener from the signal once the time is up.
    await sleep(ms, undefined, { signal });
  } catch (error) {
    if (signal?.aborted) throw new Interrupted();
    throw error;
  }
}
