// The program on the real Pulumi engine through the Automation API, run inline: the CLI reads and
// validates Pulumi.yaml and Pulumi.<stack>.yaml in `workDir` exactly as `pulumi up` does, and talks
// to a language host inside this process (no pulumi-language-nodejs needed).
import { LocalWorkspace, type Stack } from "@pulumi/pulumi/automation";
import { PROJECT } from "../components/config";

export interface OpenStackOptions {
  stackName: string;
  /** A directory with Pulumi.yaml and Pulumi.<stack>.yaml: the project, or a scratch copy of it. */
  workDir: string;
  /** Extra environment for the CLI (backend URL, passphrase). */
  envVars?: Record<string, string>;
}

/** Selects the stack, creating it when it does not exist yet; the program is this project's index.ts. */
export async function openStack(options: OpenStackOptions): Promise<Stack> {
  // Imported lazily so a CLI that only parses flags does not load every SDK.
  const program = (await import("../index")).default;
  try {
    return await LocalWorkspace.createOrSelectStack(
      { stackName: options.stackName, projectName: PROJECT, program },
      { workDir: options.workDir, envVars: options.envVars },
    );
  } catch (error) {
    // The Automation API's own words are "code: -2 … Command failed with ENOENT: pulumi version".
    if (/ENOENT: pulumi\b/.test(String(error))) throw new Error(PULUMI_MISSING);
    throw error;
  }
}

export const PULUMI_MISSING =
  "the Pulumi CLI is not on PATH (the Automation API runs it): install it " +
  "(curl -fsSL https://get.pulumi.com | sh, or https://www.pulumi.com/docs/install/) and open a new shell";
