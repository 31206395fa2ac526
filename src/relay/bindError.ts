/** A relay that could not start listening: `message` says what to do next; `code` is the errno name. */
export class RelayStartError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
    this.name = 'RelayStartError';
  }
}

/**
 * Turns a bind failure into a sentence with a next step (CONVENTIONS.md: "Errors a user can hit
 * get a code and a sentence that says what to do next").
 */
export function describeBindError(err: unknown, host: string, port: number): RelayStartError {
  const code = typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : 'UNKNOWN';
  const detail = err instanceof Error ? err.message : String(err);
  switch (code) {
    case 'EADDRINUSE':
      return new RelayStartError(
        `port ${port} on ${host} is already in use — stop the other relay or pick --port`,
        code,
      );
    case 'EACCES':
    case 'EPERM':
      return new RelayStartError(
        `not allowed to listen on ${host}:${port} (ports below 1024 need privileges) — pick --port above 1023`,
        code,
      );
    case 'EADDRNOTAVAIL':
      return new RelayStartError(
        `${host} is not an address of this machine — use --host 127.0.0.1 (this machine only) or --host 0.0.0.0 (all interfaces)`,
        code,
      );
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new RelayStartError(`cannot resolve host ${host} — check --host`, code);
    default:
      return new RelayStartError(`cannot listen on ${host}:${port}: ${detail}`, code);
  }
}
