/**
 * The logging surface the pure core takes. The action maps it onto `@actions/core`; the CLI onto stderr.
 * Core modules never import `@actions/core` themselves.
 */
export interface Logger {
  debug(message: string): void
  info(message: string): void
  warning(message: string): void
  error(message: string): void
}

/** A logger that drops everything: the default for pure functions called from tests. */
export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warning: () => undefined,
  error: () => undefined,
}
