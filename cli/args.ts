// Command-line flags of the thin scripts: `--name value`, and `--flag` alone.

/** The value after `--name`, or the fallback. */
export function argument(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 && process.argv[index + 1] ? process.argv[index + 1] : fallback;
}

/** The value after `--name`, or undefined when the flag is absent. */
export function optionalArgument(name: string): string | undefined {
  return argument(name, "") || undefined;
}

/** Whether `--flag` was given. */
export function hasFlag(flag: string): boolean {
  return process.argv.includes(`--${flag}`);
}
