// Command-line flags of the entry points, parsed by Node's util.parseArgs in strict mode: every command
// has --help (usage on stdout, exit 0), takes `--flag value` and `--flag=value`, and refuses what it
// does not know with the usage (exit 2, the shell's code for a usage error).
import { parseArgs } from "util";
import { nearest } from "../components/core/nearest";

export interface Flag {
  /** "string" flags take a value; "boolean" ones stand alone. */
  type: "string" | "boolean";
  /** What the value is, as the usage shows it: <stack>. */
  value?: string;
  help: string;
}

export interface Command {
  /** How a user runs it, one line per form: "npm run plan -- [--stack <stack>]". */
  usage: string[];
  /** What it does, in a sentence or two. */
  about: string;
  flags: Record<string, Flag>;
}

/** The values a command's flags were given (absent flags are undefined). */
export type FlagValues<F extends Record<string, Flag>> = {
  [K in keyof F]?: F[K]["type"] extends "boolean" ? boolean : string;
};

/** A mistake on the command line: said with the usage, exit 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** The exit code of a usage error. */
export const USAGE_EXIT = 2;

const HELP: Flag = { type: "boolean", help: "show this help" };

/** The usage text: the forms, what the command does, then every flag. */
export function usage(command: Command): string {
  const flags = Object.entries({ ...command.flags, help: HELP }).map(([name, flag]) => [
    `--${name}${flag.type === "string" ? ` <${flag.value ?? "value"}>` : ""}`,
    flag.help,
  ]);
  const width = Math.max(...flags.map(([left]) => left.length));
  return [
    ...command.usage.map((line, i) => `${i === 0 ? "usage: " : "       "}${line}`),
    "",
    command.about,
    "",
    ...flags.map(([left, help]) => `  ${left.padEnd(width)}  ${help}`),
  ].join("\n");
}

/** Node's messages, said shorter, with the nearest known flag for an unknown one. */
function mistake(error: { code?: string; message: string }, known: string[]): string {
  const quoted = /'(-[^' ]+)/.exec(error.message)?.[1];
  if (error.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" && quoted) {
    const suggestion = nearest(quoted.replace(/^-+/, ""), known);
    return `unknown flag ${quoted}${suggestion ? ` (did you mean --${suggestion}?)` : ""}`;
  }
  if (error.code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" && quoted && /argument missing/.test(error.message)) {
    return `${quoted} needs a value`;
  }
  if (error.code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" && quoted && /ambiguous/.test(error.message)) {
    return `${quoted} needs a value (to give one that starts with a dash, write ${quoted}=-value)`;
  }
  if (error.code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" && quoted) return `${quoted} takes no value`;
  const positional = /Unexpected argument '([^']*)'/.exec(error.message)?.[1];
  if (positional !== undefined) return `unexpected argument "${positional}" (flags are --name value)`;
  return error.message.split("\n")[0];
}

/** Parses the arguments; `help` when --help (or -h) is among them. Throws UsageError on a mistake. */
export function readFlags<F extends Record<string, Flag>>(
  command: Command & { flags: F },
  args: string[],
): { help: true } | { help: false; values: FlagValues<F> } {
  const options = Object.fromEntries(
    Object.entries({ ...command.flags, help: HELP }).map(([name, flag]) => [
      name,
      { type: flag.type, ...(name === "help" ? { short: "h" } : {}) },
    ]),
  );
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args, options, strict: true, allowPositionals: false }).values as typeof values;
  } catch (error) {
    // --help wins over any mistake beside it: someone asking how is answered.
    if (args.some((arg) => arg === "--help" || arg === "-h")) return { help: true };
    throw new UsageError(mistake(error as { code?: string; message: string }, Object.keys(options)));
  }
  if (values.help) return { help: true };
  delete values.help;
  return { help: false, values: values as FlagValues<F> };
}

/**
 * The command's flags from process.argv: prints the usage and exits 0 on --help; prints the mistake
 * and the usage and exits 2 on anything it does not understand.
 */
export function parseFlags<F extends Record<string, Flag>>(command: Command & { flags: F }): FlagValues<F> {
  let parsed: ReturnType<typeof readFlags<F>>;
  try {
    parsed = readFlags(command, process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`✗ ${error.message}\n\n${usage(command)}`);
    process.exit(USAGE_EXIT);
  }
  if (parsed.help) {
    console.log(usage(command));
    process.exit(0);
  }
  return parsed.values;
}

/**
 * Runs an entry point: its flags parsed (see parseFlags), then `main`, whose number is the exit code.
 * A UsageError it throws (a flag's value refused: a stack that does not exist) is said in one line,
 * exit 2; any other error goes to `report` (the whole error by default), exit 1.
 */
export function runCommand<F extends Record<string, Flag>>(
  command: Command & { flags: F },
  main: (flags: FlagValues<F>) => Promise<number>,
  report: (error: unknown) => void = (error) => console.error(error),
): void {
  const flags = parseFlags(command);
  main(flags).then(
    (code) => process.exit(code),
    (error) => {
      if (error instanceof UsageError) {
        console.error(`✗ ${error.message}`);
        process.exit(USAGE_EXIT);
      }
      report(error);
      process.exit(1);
    },
  );
}
