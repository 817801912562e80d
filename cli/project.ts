// Where the project is, wherever a script runs from (the bundles run from node_modules/.cache), and
// which stacks it commits.
import * as fs from "fs";
import * as path from "path";

/** The project directory: the nearest one up with Pulumi.yaml. */
function projectRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "Pulumi.yaml"))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no Pulumi.yaml above ${from}`);
  }
}

export const ROOT = projectRoot(__dirname);

/** Every committed stack, by the names in Pulumi.<stack>.yaml. */
export function committedStacks(): string[] {
  return fs
    .readdirSync(ROOT)
    .map((file) => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1])
    .filter((stack): stack is string => stack !== undefined)
    .sort();
}
