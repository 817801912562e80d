// Where the project is, wherever a script runs from (the bundles run from node_modules/.cache), which
// stacks it commits, and which stack file a --stack or --stack-file names.
import * as fs from "fs";
import * as path from "path";
import { UsageError } from "./args";

/** The project directory: the nearest one up with Pulumi.yaml. */
function projectRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "Pulumi.yaml"))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no Pulumi.yaml above ${from}`);
  }
}

export const ROOT = projectRoot(__dirname);

/** The stack a stack file is for, by its name: Pulumi.<stack>.yaml; undefined for any other name. */
export function stackOfFile(file: string): string | undefined {
  return /^Pulumi\.(.+)\.yaml$/.exec(path.basename(file))?.[1];
}

/** Every stack with a stack file in `dir` (the project's by default), by the names in Pulumi.<stack>.yaml. */
export function committedStacks(dir = ROOT): string[] {
  return fs
    .readdirSync(dir)
    .map(stackOfFile)
    .filter((stack): stack is string => stack !== undefined)
    .sort();
}

/** Pulumi.<stack>.yaml in `dir`; a stack without one is refused with the stacks there are. */
export function stackFilePath(stack: string, dir = ROOT): string {
  const file = path.join(dir, `Pulumi.${stack}.yaml`);
  if (fs.existsSync(file)) return file;
  const stacks = committedStacks(dir);
  throw new UsageError(
    `--stack ${stack}: there is no Pulumi.${stack}.yaml in ${dir}; ${stacks.length ? `the stacks are ${stacks.join(", ")}` : "it holds no stack file"}`,
  );
}
