/**
 * Parses an image config JSON (OCI `application/vnd.oci.image.config.v1+json` / Docker image JSON) into
 * the typed metadata, validating every field it uses. Anything malformed is an `ImageError` saying what.
 */
import { ImageError, errorMessage } from '../util/errors.js'
import type { HistoryEntry, ImageHealthcheck, ImageRuntimeConfig, LayerInfo } from './image-types.js'

export interface ParsedImageConfig {
  os?: string
  architecture?: string
  config: ImageRuntimeConfig
  history: HistoryEntry[]
  diffIds: string[]
}

export const DIGEST_PATTERN = /^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/

type JsonObject = Record<string, unknown>

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Parses JSON text, turning a syntax error into an `ImageError` that names the document. */
export function parseJsonDocument(bytes: Buffer, what: string): unknown {
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown
  } catch (error) {
    throw new ImageError(`${what} is not valid JSON: ${errorMessage(error)}`, { cause: error })
  }
}

class FieldReader {
  constructor(private readonly what: string) {}

  fail(field: string, expected: string): never {
    throw new ImageError(`${this.what}: ${field} must be ${expected}`)
  }

  /** Docker writes `null` for absent lists and maps; both mean "not set". */
  optionalString(object: JsonObject, key: string, field = key): string | undefined {
    const value = object[key]
    if (value === undefined || value === null) return undefined
    if (typeof value !== 'string') this.fail(field, 'a string')
    return value
  }

  optionalStringArray(object: JsonObject, key: string, field = key): string[] | undefined {
    const value = object[key]
    if (value === undefined || value === null) return undefined
    if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
      this.fail(field, 'an array of strings')
    }
    return value
  }

  optionalObject(object: JsonObject, key: string, field = key): JsonObject | undefined {
    const value = object[key]
    if (value === undefined || value === null) return undefined
    if (!isObject(value)) this.fail(field, 'an object')
    return value
  }

  optionalNumber(object: JsonObject, key: string, field = key): number | undefined {
    const value = object[key]
    if (value === undefined || value === null) return undefined
    if (typeof value !== 'number' || !Number.isFinite(value)) this.fail(field, 'a number')
    return value
  }
}

function parseHealthcheck(read: FieldReader, object: JsonObject | undefined): ImageHealthcheck | undefined {
  if (object === undefined) return undefined
  const test = read.optionalStringArray(object, 'Test', 'config.Healthcheck.Test') ?? []
  const healthcheck: ImageHealthcheck = { test }
  const interval = read.optionalNumber(object, 'Interval', 'config.Healthcheck.Interval')
  const timeout = read.optionalNumber(object, 'Timeout', 'config.Healthcheck.Timeout')
  const retries = read.optionalNumber(object, 'Retries', 'config.Healthcheck.Retries')
  if (interval !== undefined) healthcheck.interval = interval
  if (timeout !== undefined) healthcheck.timeout = timeout
  if (retries !== undefined) healthcheck.retries = retries
  return healthcheck
}

function parseRuntimeConfig(read: FieldReader, object: JsonObject | undefined): ImageRuntimeConfig {
  const config: ImageRuntimeConfig = { exposedPorts: [], env: [], labels: {} }
  if (object === undefined) return config
  const user = read.optionalString(object, 'User', 'config.User')
  if (user !== undefined && user !== '') config.user = user
  config.exposedPorts = Object.keys(read.optionalObject(object, 'ExposedPorts', 'config.ExposedPorts') ?? {})
  config.env = read.optionalStringArray(object, 'Env', 'config.Env') ?? []
  const healthcheck = parseHealthcheck(read, read.optionalObject(object, 'Healthcheck', 'config.Healthcheck'))
  if (healthcheck !== undefined) config.healthcheck = healthcheck
  const labels = read.optionalObject(object, 'Labels', 'config.Labels') ?? {}
  for (const [key, value] of Object.entries(labels)) {
    if (typeof value !== 'string') read.fail(`config.Labels["${key}"]`, 'a string')
    config.labels[key] = value
  }
  const workingDir = read.optionalString(object, 'WorkingDir', 'config.WorkingDir')
  if (workingDir !== undefined && workingDir !== '') config.workingDir = workingDir
  const cmd = read.optionalStringArray(object, 'Cmd', 'config.Cmd')
  if (cmd !== undefined) config.cmd = cmd
  const entrypoint = read.optionalStringArray(object, 'Entrypoint', 'config.Entrypoint')
  if (entrypoint !== undefined) config.entrypoint = entrypoint
  return config
}

function parseHistory(read: FieldReader, value: unknown): HistoryEntry[] {
  if (value === undefined || value === null) return []
  if (!Array.isArray(value)) read.fail('history', 'an array')
  return value.map((item: unknown, i) => {
    if (!isObject(item)) read.fail(`history[${i}]`, 'an object')
    const entry: HistoryEntry = {
      createdBy: read.optionalString(item, 'created_by', `history[${i}].created_by`) ?? '',
      emptyLayer: false,
    }
    const emptyLayer = item.empty_layer
    if (emptyLayer !== undefined && emptyLayer !== null && typeof emptyLayer !== 'boolean') {
      read.fail(`history[${i}].empty_layer`, 'a boolean')
    }
    entry.emptyLayer = emptyLayer === true
    const created = read.optionalString(item, 'created', `history[${i}].created`)
    const comment = read.optionalString(item, 'comment', `history[${i}].comment`)
    if (created !== undefined) entry.created = created
    if (comment !== undefined) entry.comment = comment
    return entry
  })
}

/** Parses and validates the image config JSON; `what` names it in messages (`image.tar: config …`). */
export function parseImageConfig(bytes: Buffer, what: string): ParsedImageConfig {
  const document = parseJsonDocument(bytes, what)
  const read: FieldReader = new FieldReader(what)
  if (!isObject(document)) read.fail('the document', 'a JSON object')
  const rootfs = read.optionalObject(document, 'rootfs')
  if (rootfs === undefined) read.fail('rootfs', 'present (an object with diff_ids)')
  const diffIds = read.optionalStringArray(rootfs, 'diff_ids', 'rootfs.diff_ids')
  if (diffIds === undefined) read.fail('rootfs.diff_ids', 'an array of digests')
  diffIds.forEach((diffId, i) => {
    if (!DIGEST_PATTERN.test(diffId)) read.fail(`rootfs.diff_ids[${i}]`, 'a sha256:/sha512: digest')
  })
  const parsed: ParsedImageConfig = {
    config: parseRuntimeConfig(read, read.optionalObject(document, 'config')),
    history: parseHistory(read, document.history),
    diffIds,
  }
  const os = read.optionalString(document, 'os')
  const architecture = read.optionalString(document, 'architecture')
  if (os !== undefined) parsed.os = os
  if (architecture !== undefined) parsed.architecture = architecture
  return parsed
}

/**
 * Fills `createdBy` of each layer from the history entries that made a layer, but only when they line up
 * one to one (otherwise the attribution would be a guess).
 */
export function attachHistory(layers: LayerInfo[], history: HistoryEntry[]): boolean {
  const layerHistory = history.filter((entry) => !entry.emptyLayer)
  if (layerHistory.length !== layers.length) return false
  layers.forEach((layer, i) => {
    const createdBy = layerHistory[i]?.createdBy
    if (createdBy !== undefined && createdBy !== '') layer.createdBy = createdBy
  })
  return true
}
