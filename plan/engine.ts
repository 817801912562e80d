// Runs the real index.ts against the mock cloud with a committed stack file (plus per-test
// overrides) and returns everything it registered. Shared by the jest suites and `npm run plan`.
import * as pulumi from "@pulumi/pulumi";
import { mergeConfig, readStackFile, type ConfigValues } from "../cli/stackFile";
import { PROJECT } from "../components/config";
import { cloudMocks } from "./mocks";
import { recordRegistrations, type RecordedResource } from "./recorder";

export const STACK_TYPE = "pulumi:pulumi:Stack";

export interface RunOptions {
  stack?: string;
  /** A stack file other than Pulumi.<stack>.yaml at the project root. */
  stackFile?: string;
  /** Per-key overrides deep-merged over the stack file, e.g. { "ai-mesh:cluster": { mode: "existing" } }. */
  config?: ConfigValues;
  /** Plan mode: a preview where every cloud-computed value is unknown. */
  preview?: boolean;
}

export interface RunResult {
  resources: RecordedResource[];
  /** Stack outputs as registered (unknowns as markers, secrets as RecordedSecret). */
  outputs: Record<string, unknown>;
  /** The stack config the program ran with (stack file plus overrides). */
  config?: ConfigValues;
  error?: Error;
}

type Program = () => Promise<Record<string, unknown>>;

export async function runProgram(options: RunOptions = {}): Promise<RunResult> {
  const stack = options.stack ?? "dev";
  const preview = options.preview ?? false;
  const file = readStackFile(stack, options.stackFile);
  const config = mergeConfig(file.config, options.config ?? {});

  const mocks = cloudMocks({ unknownComputed: preview });
  await pulumi.runtime.setMocks(mocks, PROJECT, stack, preview);
  pulumi.runtime.setAllConfig(
    Object.fromEntries(Object.entries(config).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)])),
    file.secretKeys,
  );
  const resources = recordRegistrations(mocks);
  // Imported only now: the program must see the mocks and config installed above.
  const program: Program = (await import("../index")).default;

  // The error is caught inside the stack's init: rethrown, it would also reject the Stack
  // resource's own promise, which nobody awaits.
  let error: Error | undefined;
  // The SDK formats a stack trace for every promise it makes (a debugging aid for leaks): about
  // half of the time a plan spends registering resources. Without frames the traces cost nothing;
  // AI_MESH_STACK_TRACES=1 keeps them for debugging the program itself.
  const stackTraceLimit = Error.stackTraceLimit;
  if (!process.env.AI_MESH_STACK_TRACES) Error.stackTraceLimit = 0;
  try {
    await pulumi.runtime.runInPulumiStack(async () => {
      try {
        return await program();
      } catch (caught) {
        error = caught as Error;
        return {};
      }
    });
    await (pulumi.runtime as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
  const stackResource = resources.find((r) => r.type === STACK_TYPE);
  return { resources, outputs: stackResource?.outputs ?? {}, config, error };
}

/** Runs the program and fails loudly when it threw. */
export async function deploy(options: RunOptions = {}): Promise<RunResult> {
  const result = await runProgram(options);
  if (result.error) throw result.error;
  return result;
}
