/**
 * The `builtin` scanner: native checks of the image config, history and final filesystem. Nothing to
 * install, runs anywhere in about a second. Each check is one file under `builtin/`.
 */
import { collectFinalFiles } from '../target/filesystem.js'
import type { ImageCheck } from './builtin/check.js'
import { emptyPasswordCheck } from './builtin/empty-password.js'
import { noHealthcheckCheck } from './builtin/no-healthcheck.js'
import { remoteAddCheck } from './builtin/remote-add.js'
import { riskyPortCheck } from './builtin/risky-ports.js'
import { rootUserCheck } from './builtin/root-user.js'
import { runBuiltinChecks, type FinalFilesCollector } from './builtin/run-checks.js'
import { secretFilesCheck } from './builtin/secret-files.js'
import { sharedPrivateKeyCheck } from './builtin/shared-private-key.js'
import { secretInEnvCheck } from './builtin/secret-in-env.js'
import { secretInHistoryCheck } from './builtin/secret-in-history.js'
import { setuidFilesCheck } from './builtin/setuid-files.js'
import type { Scanner } from './scanner.js'

export type { ImageCheck } from './builtin/check.js'
export type { FinalFilesCollector } from './builtin/run-checks.js'

/** Every built-in check, in report order. Rule ids are stable: users' ignore lists name them. */
export const BUILTIN_CHECKS: readonly ImageCheck[] = [
  rootUserCheck,
  noHealthcheckCheck,
  riskyPortCheck,
  secretInEnvCheck,
  secretInHistoryCheck,
  secretFilesCheck,
  sharedPrivateKeyCheck,
  setuidFilesCheck,
  remoteAddCheck,
  emptyPasswordCheck,
]

export interface BuiltinScannerOptions {
  /** The final-filesystem collector; defaults to the image reader's `collectFinalFiles`. */
  collectFinalFiles?: FinalFilesCollector
  /** The checks to run; defaults to `BUILTIN_CHECKS`. */
  checks?: readonly ImageCheck[]
}

export function createBuiltinScanner(options: BuiltinScannerOptions = {}): Scanner {
  const collector = options.collectFinalFiles ?? collectFinalFiles
  const checks = options.checks ?? BUILTIN_CHECKS
  return {
    id: 'builtin',
    name: 'Built-in checks',
    scan: async (ctx) => {
      // The Dockerfile as the pipeline parsed it once (the final stage's ADD lines): never read again here.
      const dockerfile = ctx.dockerfileModel
      return runBuiltinChecks(ctx.image, {
        target: ctx.target,
        checks,
        collectFinalFiles: collector,
        logger: ctx.logger,
        timeoutMs: ctx.timeoutMs,
        ...(dockerfile !== undefined ? { dockerfile } : {}),
      })
    },
  }
}

export const builtinScanner: Scanner = createBuiltinScanner()
