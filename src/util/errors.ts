/**
 * The error classes of the pipeline. Each says whose fault a failure is, which decides the message, the
 * verdict and the CLI exit code. Anything that is not one of these is a bug in this project.
 */

/** Base class of the errors we expect; `exitCode` is the CLI exit code it maps to. */
export abstract class GateError extends Error {
  abstract readonly exitCode: number
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = new.target.name
  }
}

/** The user's input is wrong: an unknown scanner, a bad severity, a path that does not exist. Exit 2. */
export class ConfigurationError extends GateError {
  readonly exitCode = 2
}

/** An image could not be read: a corrupt or truncated archive, a hostile layout, no Docker daemon. Exit 3. */
export class ImageError extends GateError {
  readonly exitCode = 3
}

/** A scanner could not be installed or run, or its report could not be read. Exit 3. */
export class ScannerError extends GateError {
  readonly exitCode = 3
  constructor(
    /** The scanner id (`trivy`, `grype`, ...), or `sarif` for an imported SARIF file. */
    readonly scanner: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}

/** The SARIF upload to GitHub code scanning failed. Exit 3. */
export class UploadError extends GateError {
  readonly exitCode = 3
  constructor(
    message: string,
    /** The HTTP status when the API answered, undefined for network failures. */
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options)
  }
}

export function isGateError(error: unknown): error is GateError {
  return error instanceof GateError
}

/** One line for a log or an annotation, for any thrown value. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message
  return String(error)
}
