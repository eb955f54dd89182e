/** Logger adapters for the two edges: the action (workflow commands) and the CLI (stderr). */
import * as core from '@actions/core'
import type { Logger } from './logger.js'

export function actionLogger(): Logger {
  return {
    debug: (m) => core.debug(m),
    info: (m) => core.info(m),
    warning: (m) => core.warning(m),
    error: (m) => core.error(m),
  }
}

export function stderrLogger(options: { verbose: boolean; write?: (line: string) => void }): Logger {
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`))
  return {
    debug: (m) => {
      if (options.verbose) write(`debug: ${m}`)
    },
    info: (m) => {
      if (options.verbose) write(m)
    },
    warning: (m) => write(`warning: ${m}`),
    error: (m) => write(`error: ${m}`),
  }
}
