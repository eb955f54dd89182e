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

/** A logger that records every line, for tests and for collecting warnings into the summary. */
export class RecordingLogger implements Logger {
  readonly lines: { level: 'debug' | 'info' | 'warning' | 'error'; message: string }[] = []
  debug(message: string): void {
    this.lines.push({ level: 'debug', message })
  }
  info(message: string): void {
    this.lines.push({ level: 'info', message })
  }
  warning(message: string): void {
    this.lines.push({ level: 'warning', message })
  }
  error(message: string): void {
    this.lines.push({ level: 'error', message })
  }
  messages(level: 'debug' | 'info' | 'warning' | 'error'): string[] {
    return this.lines.filter((l) => l.level === level).map((l) => l.message)
  }
}
