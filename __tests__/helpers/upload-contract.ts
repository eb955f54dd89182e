/**
 * The REST contract of `POST /repos/{owner}/{repo}/code-scanning/sarifs` (code-scanning/upload-sarif), as
 * GitHub documents it: the fields it defines and no others, `commit_sha` of 40 hex digits, `ref` under
 * refs/heads, refs/tags or refs/pull, and `sarif` = base64(gzip(a SARIF 2.1.0 log)) of at most 10 MB.
 */
import { gunzipSync } from 'node:zlib'
import type { Log } from 'sarif'

const DOCUMENTED_UPLOAD_FIELDS = new Set([
  'commit_sha',
  'ref',
  'sarif',
  'checkout_uri',
  'started_at',
  'tool_name',
  'validate',
])
const MAX_GZIPPED_BYTES = 10 * 1024 * 1024
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/

/** Checks an upload body against the REST contract; returns the decoded log when it is valid. */
export function checkUploadContract(
  body: unknown,
  rawBody: string,
): { errors: string[]; tooLarge: boolean; log?: Log } {
  const errors: string[] = []
  if (!isRecord(body)) {
    return { errors: [`the body is not a JSON object: ${rawBody.slice(0, 80)}`], tooLarge: false }
  }
  for (const key of Object.keys(body)) {
    if (!DOCUMENTED_UPLOAD_FIELDS.has(key)) errors.push(`"${key}" is not a permitted key.`)
  }
  for (const key of ['commit_sha', 'ref', 'sarif']) {
    if (!(key in body)) errors.push(`"${key}" wasn't supplied.`)
  }
  const {
    commit_sha: sha,
    ref,
    sarif,
    checkout_uri: checkoutUri,
    started_at: startedAt,
    tool_name: toolName,
  } = body
  if (sha !== undefined && (typeof sha !== 'string' || !/^[0-9a-fA-F]{40}$/.test(sha))) {
    errors.push(`${JSON.stringify(sha)} is not a 40-character hexadecimal commit_sha.`)
  }
  if (ref !== undefined && (typeof ref !== 'string' || !/^refs\/(heads|tags|pull)\/.+$/.test(ref))) {
    errors.push(`${JSON.stringify(ref)} does not match /^refs\\/(heads|pull|tags)\\/.*$/.`)
  }
  if (checkoutUri !== undefined && (typeof checkoutUri !== 'string' || !/^file:\/\/\//.test(checkoutUri))) {
    errors.push(`checkout_uri ${JSON.stringify(checkoutUri)} is not a file:// URI.`)
  }
  if (startedAt !== undefined && (typeof startedAt !== 'string' || !ISO_DATE_TIME.test(startedAt))) {
    errors.push(`started_at ${JSON.stringify(startedAt)} is not an ISO 8601 date-time.`)
  }
  if (toolName !== undefined && typeof toolName !== 'string') errors.push('tool_name is not a string.')
  if (body['validate'] !== undefined && typeof body['validate'] !== 'boolean')
    errors.push('validate is not a boolean.')
  if (sarif === undefined) return { errors, tooLarge: false }
  if (typeof sarif !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(sarif)) {
    errors.push('sarif is not a base64 string.')
    return { errors, tooLarge: false }
  }
  const gzipped = Buffer.from(sarif, 'base64')
  if (gzipped.length > MAX_GZIPPED_BYTES) return { errors, tooLarge: true }
  let log: unknown
  try {
    log = JSON.parse(gunzipSync(gzipped).toString('utf8'))
  } catch (error) {
    errors.push(`sarif does not decode (base64 → gzip → JSON): ${String(error)}`)
    return { errors, tooLarge: false }
  }
  if (!isRecord(log) || log['version'] !== '2.1.0' || !Array.isArray(log['runs'])) {
    errors.push('sarif is not a SARIF 2.1.0 log (version "2.1.0" and a runs array).')
    return { errors, tooLarge: false }
  }
  return errors.length > 0
    ? { errors, tooLarge: false }
    : { errors, tooLarge: false, log: log as unknown as Log }
}

export function hasDuplicateCategory(log: Log): boolean {
  const seen = new Set<string>()
  for (const run of log.runs as unknown[]) {
    const tool = isRecord(run) && isRecord(run['tool']) ? run['tool'] : {}
    const driver = isRecord(tool['driver']) ? tool['driver'] : {}
    const details = isRecord(run) && isRecord(run['automationDetails']) ? run['automationDetails'] : {}
    const id = typeof details['id'] === 'string' ? details['id'] : ''
    // The category is the id up to its last '/'; what follows names one run of that category.
    const category = id.includes('/') ? id.slice(0, id.lastIndexOf('/') + 1) : id
    const key = `${String(driver['name'])}\u0000${category}`
    if (seen.has(key)) return true
    seen.add(key)
  }
  return false
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
