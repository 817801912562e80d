// JSON logs, one object per line on stdout: what Fluent Bit, CloudWatch and Loki parse as they are.
export type Level = "debug" | "info" | "warn" | "error";
export type Fields = Record<string, unknown>;

export interface Logger {
  debug(msg: string, fields?: Fields): void;
  info(msg: string, fields?: Fields): void;
  warn(msg: string, fields?: Fields): void;
  error(msg: string, fields?: Fields): void;
  /** A logger that adds `fields` to every line (a request's ids, say). */
  child(fields: Fields): Logger;
}

const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface LoggerOptions {
  service: string;
  version: string;
  level?: Level;
  write?: (line: string) => void;
  /** Added to every line. */
  fields?: Fields;
}

export function createLogger(options: LoggerOptions): Logger {
  const threshold = ORDER[options.level ?? "info"];
  const write = options.write ?? ((line: string) => process.stdout.write(line));
  const emit =
    (level: Level) =>
    (msg: string, fields: Fields = {}) => {
      if (ORDER[level] < threshold) return;
      const record = {
        time: new Date().toISOString(),
        level,
        service: options.service,
        version: options.version,
        msg,
        ...options.fields,
        ...fields,
      };
      write(`${JSON.stringify(record, errorsAsText)}\n`);
    };
  return {
    debug: emit("debug"),
    info: emit("info"),
    warn: emit("warn"),
    error: emit("error"),
    child: (fields) => createLogger({ ...options, fields: { ...options.fields, ...fields } }),
  };
}

function errorsAsText(_key: string, value: unknown): unknown {
  return value instanceof Error ? value.message : value;
}
