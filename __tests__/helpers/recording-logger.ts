/** A logger that records every line, so tests can check what was logged at which level. */
import type { Logger } from '../../src/util/logger.js'

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
