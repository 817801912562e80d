// The real reason behind a wrapped error: fetch says "fetch failed" and keeps ECONNREFUSED, a DNS
// failure or a reset in its cause; a connection tried on several addresses keeps one per address.
export function rootCause(error: unknown): string {
  let current = error;
  while (current instanceof Error && current.cause !== undefined) current = current.cause;
  if (current instanceof AggregateError && current.message === "") {
    return current.errors.map((inner) => rootCause(inner)).join("; ");
  }
  if (current instanceof Error) return current.message || String((current as { code?: string }).code ?? current.name);
  return String(current);
}
