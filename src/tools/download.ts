/**
 * HTTP transfers for the installer: release assets streamed to disk and small checksum / API documents
 * read into memory, with retries and exponential backoff on 5xx and network failures, a stall timeout
 * (no bytes for `timeoutMs`), and a length check that turns a short body into an error instead of a
 * truncated file. Uses `@actions/http-client`, which honours the runner's proxy variables.
 *
 * `@actions/tool-cache`'s own `downloadTool` is not used: it retries only twice with a fixed 10–20 s
 * pause, has no stall timeout, and cannot say which URL or byte count failed.
 */
import { createWriteStream } from 'node:fs'
import { rm } from 'node:fs/promises'
import type { IncomingMessage } from 'node:http'
import { Transform, Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { HttpClient } from '@actions/http-client'
import { ScannerError, errorMessage } from '../util/errors.js'
import type { Logger } from '../util/logger.js'

const USER_AGENT = 'container-security-gate'

export interface TransferOptions {
  /** The scanner id every error names. */
  tool: string
  logger: Logger
  /** Attempts after the first one. Default 3. */
  retries?: number
  /** First backoff pause; doubled per attempt. Default 1000 ms. */
  retryDelayMs?: number
  /** A response that sends nothing for this long is abandoned (and retried). Default 30 s. */
  timeoutMs?: number
  headers?: Record<string, string>
}

/** One failed attempt; `retryable` decides whether another attempt is made. */
export class TransferError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options)
    this.name = 'TransferError'
  }
}

const LOCAL_FAILURES = new Set(['ENOSPC', 'EDQUOT', 'EACCES', 'EPERM', 'EROFS', 'EISDIR', 'EMFILE'])

function errnoCode(error: unknown): string | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error && typeof error.code === 'string') {
    return error.code
  }
  return undefined
}

/**
 * The message of any thrown value. Unlike `errorMessage` it also reads errors created in another
 * realm (Node's own errors seen from a VM context fail `instanceof Error`).
 */
export function failureReason(error: unknown): string {
  if (
    typeof error === 'object' &&
    error !== null &&
    'message' in error &&
    typeof error.message === 'string'
  ) {
    return error.message
  }
  return errorMessage(error)
}

export function isNoSpaceError(error: unknown): boolean {
  const code = errnoCode(error)
  if (code === 'ENOSPC' || code === 'EDQUOT') return true
  return /ENOSPC|no space left on device/i.test(failureReason(error))
}

function describeLocalFailure(error: unknown): string {
  if (isNoSpaceError(error)) return `no space left on device (${failureReason(error)})`
  return failureReason(error)
}

/** The Content-Length a response announced, when it announced a valid one. */
function announcedLength(message: IncomingMessage): number | undefined {
  const header = message.headers['content-length']
  if (header === undefined || !/^\d+$/.test(header)) return undefined
  return Number(header)
}

function statusFailure(status: number): TransferError {
  if (status === 404) {
    return new TransferError(
      'not found (HTTP 404): check the version and that the release publishes this file',
      false,
      status,
    )
  }
  const retryable = status >= 500 || status === 408 || status === 429
  return new TransferError(`HTTP ${status}`, retryable, status)
}

/**
 * The http client's own socket timeout for a transfer whose stall timer is `timeoutMs`. It is only a
 * backstop: it destroys the socket (a generic ECONNRESET that would hide a stall), so it must fire well
 * after the timers in openResponse and transferBody, which name what happened. Equal timeouts race,
 * and on a loaded machine the socket's won.
 */
export function backstopSocketTimeout(timeoutMs: number): number {
  return timeoutMs * 2 + 1000
}

async function openResponse(url: string, options: TransferOptions): Promise<IncomingMessage> {
  const timeoutMs = options.timeoutMs ?? 30_000
  const client = new HttpClient(USER_AGENT, [], {
    allowRetries: false,
    allowRedirects: true,
    maxRedirects: 10,
    socketTimeout: backstopSocketTimeout(timeoutMs),
  })
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      reject(new TransferError(`no response within ${timeoutMs} ms`, true))
    }, timeoutMs)
  })
  const request = client.get(url, options.headers ?? {})
  let message: IncomingMessage
  try {
    message = (await Promise.race([request, deadline])).message
  } catch (error) {
    // A late response to an abandoned request must not keep its socket open.
    request.then(
      (late) => late.message.destroy(),
      () => undefined,
    )
    if (error instanceof TransferError) throw error
    throw new TransferError(`no response: ${failureReason(error)}`, true, undefined, { cause: error })
  } finally {
    clearTimeout(timer)
  }
  const status = message.statusCode ?? 0
  if (status !== 200) {
    message.resume() // drain, so the socket is released
    throw statusFailure(status)
  }
  return message
}

function receivedOf(received: number, message: IncomingMessage): string {
  const announced = announcedLength(message)
  return announced === undefined ? `${received} bytes` : `${received} of ${announced} bytes`
}

/**
 * Moves the body of `message` into `sink`, destroying the transfer when no byte arrives for
 * `timeoutMs`, and checks that as many bytes arrived as `content-length` announced.
 */
async function transferBody(message: IncomingMessage, sink: Writable, timeoutMs: number): Promise<number> {
  let received = 0
  let timer: NodeJS.Timeout | undefined
  const arm = (): void => {
    if (timer !== undefined) clearTimeout(timer)
    timer = setTimeout(() => {
      message.destroy(new TransferError(`stalled: no data for ${timeoutMs} ms after ${received} bytes`, true))
    }, timeoutMs)
  }
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      received += chunk.length
      arm()
      callback(null, chunk)
    },
  })
  arm()
  try {
    await pipeline(message, counter, sink)
  } catch (error) {
    if (error instanceof TransferError) throw error
    const code = errnoCode(error)
    if (code !== undefined && LOCAL_FAILURES.has(code)) {
      throw new TransferError(`could not write the file: ${describeLocalFailure(error)}`, false, undefined, {
        cause: error,
      })
    }
    throw new TransferError(
      `the connection broke after ${receivedOf(received, message)} (${code ?? failureReason(error)}): truncated download`,
      true,
      undefined,
      { cause: error },
    )
  } finally {
    if (timer !== undefined) clearTimeout(timer)
  }
  const announced = announcedLength(message)
  if (!message.complete || (announced !== undefined && announced !== received)) {
    throw new TransferError(
      `the connection closed after ${receivedOf(received, message)}: truncated download`,
      true,
    )
  }
  return received
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

/** Runs `attempt` until it succeeds, a failure is not retryable, or the retries are spent. */
export async function withRetries<T>(
  what: string,
  options: TransferOptions,
  attempt: () => Promise<T>,
): Promise<T> {
  const retries = Math.max(0, options.retries ?? 3)
  const baseDelay = Math.max(0, options.retryDelayMs ?? 1000)
  for (let index = 0; ; index++) {
    try {
      return await attempt()
    } catch (error) {
      const transfer = error instanceof TransferError ? error : undefined
      const retryable = transfer?.retryable ?? false
      if (!retryable || index >= retries) {
        const attempts = index + 1
        const suffix = retryable && attempts > 1 ? ` (gave up after ${attempts} attempts)` : ''
        throw new ScannerError(
          options.tool,
          `${options.tool}: ${what} failed: ${failureReason(error)}${suffix}`,
          {
            cause: error,
          },
        )
      }
      const delay = baseDelay * 2 ** index
      options.logger.warning(
        `${options.tool}: ${what} failed (${failureReason(error)}); retrying in ${delay} ms (attempt ${index + 2} of ${retries + 1})`,
      )
      await sleep(delay)
    }
  }
}

/** Streams `url` into `path` (created or replaced). A failed attempt leaves no file behind. */
export async function downloadToFile(url: string, path: string, options: TransferOptions): Promise<number> {
  const timeoutMs = options.timeoutMs ?? 30_000
  return withRetries(`downloading ${url}`, options, async () => {
    const message = await openResponse(url, options)
    try {
      return await transferBody(message, createWriteStream(path), timeoutMs)
    } catch (error) {
      await rm(path, { force: true })
      throw error
    }
  })
}

/**
 * Reads a whole response body as UTF-8 with the same stall timeout and length check as downloads;
 * larger than `maxBytes` is an error. (`HttpClientResponse.readBody` never settles on a reset.)
 */
export async function readMessageText(
  message: IncomingMessage,
  options: { timeoutMs?: number; maxBytes?: number },
): Promise<string> {
  const maxBytes = options.maxBytes ?? 4 * 1024 * 1024
  const chunks: Buffer[] = []
  let size = 0
  const collector = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      size += chunk.length
      if (size > maxBytes) {
        callback(new TransferError(`larger than ${maxBytes} bytes`, false))
        return
      }
      chunks.push(chunk)
      callback()
    },
  })
  await transferBody(message, collector, options.timeoutMs ?? 30_000)
  return Buffer.concat(chunks).toString('utf8')
}

/** Reads a small document (a checksum file) into memory, with retries. */
export async function downloadText(
  url: string,
  options: TransferOptions & { maxBytes?: number },
): Promise<string> {
  return withRetries(`downloading ${url}`, options, async () => {
    const message = await openResponse(url, options)
    return readMessageText(message, options)
  })
}
