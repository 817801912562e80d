// One line per finished resource step and every error diagnostic, so long operations show progress.
import type { EngineEvent } from "@pulumi/pulumi/automation";
import { urnName } from "./changes";

export function progressPrinter(print: (line: string) => void, started = Date.now()): (event: EngineEvent) => void {
  const seconds = () => ((Date.now() - started) / 1000).toFixed(1).padStart(6);
  return (event) => {
    const step = event.resOutputsEvent?.metadata;
    if (step && step.op !== "same" && step.type !== "pulumi:pulumi:Stack") {
      print(`${seconds()}s  ${step.op.padEnd(7)} ${step.type}  ${urnName(step.urn)}`);
    }
    const failed = event.resOpFailedEvent?.metadata;
    if (failed) print(`${seconds()}s  FAILED  ${failed.type}  ${urnName(failed.urn)}`);
    const diagnostic = event.diagnosticEvent;
    if (diagnostic && diagnostic.severity === "error") print(`${seconds()}s  error: ${diagnostic.message.trim()}`);
  };
}
