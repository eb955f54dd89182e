/**
 * A loopback stand-in for GitHub's dependency submission endpoint, `POST /repos/{owner}/{repo}/
 * dependency-graph/snapshots` (REST API 2022-11-28; docs.github.com/rest/dependency-graph/
 * dependency-submission, "Create a snapshot of dependencies for a repository").
 *
 * It checks the body against the request schema of that operation — the `snapshot` schema of GitHub's
 * OpenAPI description (github/rest-api-description, components/schemas/snapshot), restated below as a
 * JSON schema: required `version`, `job {id, correlator}`, `sha` of exactly 40 characters, `ref` matching
 * `^refs/`, `detector {name, version, url}`, `scanned` a date-time; manifests keyed by name, each with a
 * required `name`, and `resolved` entries whose `package_url` matches `^pkg`, `relationship` direct|indirect,
 * `scope` runtime|development, metadata of at most 8 scalar keys; no other properties anywhere.
 * An invalid body is answered 422; a request without a token 401; in `readOnly` mode every request gets
 * the 403 a token without `contents: write` gets. An accepted snapshot is answered 201 with the documented
 * body `{id, created_at, result, message}`, and replaces the previous one with the same
 * (`job.correlator`, `detector.name`), as the docs describe.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import Ajv from 'ajv'
import type { ValidateFunction } from 'ajv'
import addFormats from 'ajv-formats'

const scalarMetadata = {
  type: 'object',
  maxProperties: 8,
  additionalProperties: { type: ['string', 'number', 'boolean', 'null'] },
}

/** The `snapshot` request schema of the OpenAPI description, as JSON schema. */
export const SNAPSHOT_SCHEMA = {
  type: 'object',
  required: ['detector', 'version', 'ref', 'sha', 'job', 'scanned'],
  additionalProperties: false,
  properties: {
    version: { type: 'integer' },
    job: {
      type: 'object',
      required: ['id', 'correlator'],
      additionalProperties: false,
      properties: { id: { type: 'string' }, correlator: { type: 'string' }, html_url: { type: 'string' } },
    },
    sha: { type: 'string', minLength: 40, maxLength: 40 },
    ref: { type: 'string', pattern: '^refs/' },
    detector: {
      type: 'object',
      required: ['name', 'version', 'url'],
      additionalProperties: false,
      properties: { name: { type: 'string' }, version: { type: 'string' }, url: { type: 'string' } },
    },
    metadata: scalarMetadata,
    manifests: {
      type: 'object',
      additionalProperties: {
        type: 'object',
        required: ['name'],
        additionalProperties: false,
        properties: {
          name: { type: 'string' },
          file: {
            type: 'object',
            additionalProperties: false,
            properties: { source_location: { type: 'string' } },
          },
          metadata: scalarMetadata,
          resolved: {
            type: 'object',
            additionalProperties: {
              type: 'object',
              additionalProperties: false,
              properties: {
                package_url: { type: 'string', pattern: '^pkg' },
                metadata: scalarMetadata,
                relationship: { enum: ['direct', 'indirect'] },
                scope: { enum: ['runtime', 'development'] },
                dependencies: { type: 'array', items: { type: 'string' } },
              },
            },
          },
        },
      },
    },
    scanned: { type: 'string', format: 'date-time' },
  },
} as const

export interface DependencyGraphOptions {
  /** Answer every request with GitHub's 403 for a token that cannot write contents. */
  readOnly?: boolean
}

export interface DependencyGraphApi {
  /** The API base URL to use as GITHUB_API_URL. */
  url: string
  /** Accepted snapshots, in order (with the repository path they were posted to). */
  accepted: { path: string; body: Record<string, unknown> }[]
  /** The snapshot currently counted per correlator and detector name. */
  current(): Record<string, unknown>[]
  /** Schema violations of rejected requests. */
  violations: string[]
  /** Every request's method and path. */
  requests: { method: string; path: string }[]
  close(): Promise<void>
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of request as AsyncIterable<Buffer>) chunks.push(chunk)
  return Buffer.concat(chunks).toString('utf8')
}

function send(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8' })
  response.end(JSON.stringify(body))
}

export async function startDependencyGraphApi(
  options: DependencyGraphOptions = {},
): Promise<DependencyGraphApi> {
  const ajv = new Ajv.default({ allErrors: true, strict: false })
  addFormats.default(ajv)
  const validate: ValidateFunction = ajv.compile(SNAPSHOT_SCHEMA)
  const accepted: DependencyGraphApi['accepted'] = []
  const violations: string[] = []
  const requests: DependencyGraphApi['requests'] = []
  const latest = new Map<string, Record<string, unknown>>()
  let nextId = 1

  const server = createServer((request, response) => {
    void (async () => {
      const path = (request.url ?? '').split('?')[0] ?? ''
      requests.push({ method: request.method ?? '', path })
      const raw = await readBody(request)
      if (!/^\/repos\/[^/]+\/[^/]+\/dependency-graph\/snapshots$/.test(path) || request.method !== 'POST') {
        send(response, 404, { message: 'Not Found' })
        return
      }
      if (!/^(Bearer|token) \S+/.test(request.headers.authorization ?? '')) {
        send(response, 401, { message: 'Requires authentication' })
        return
      }
      if (options.readOnly) {
        send(response, 403, {
          message: 'Resource not accessible by integration',
          documentation_url:
            'https://docs.github.com/rest/dependency-graph/dependency-submission#create-a-snapshot-of-dependencies-for-a-repository',
          status: '403',
        })
        return
      }
      let body: unknown
      try {
        body = JSON.parse(raw) as unknown
      } catch {
        violations.push('body is not JSON')
        send(response, 400, { message: 'Problems parsing JSON' })
        return
      }
      if (!validate(body)) {
        const problems = (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`)
        violations.push(...problems)
        send(response, 422, { message: `Invalid request.\n\n${problems.join('\n')}` })
        return
      }
      const snapshot = body as Record<string, unknown> & {
        job: { correlator: string }
        detector: { name: string }
      }
      accepted.push({ path, body: snapshot })
      latest.set(`${snapshot.job.correlator}\u0000${snapshot.detector.name}`, snapshot)
      send(response, 201, {
        id: nextId++,
        created_at: new Date().toISOString(),
        result: 'SUCCESS',
        message: 'Dependency results for the repo have been successfully updated.',
      })
    })().catch((error: unknown) => send(response, 500, { message: String(error) }))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    accepted,
    current: () => [...latest.values()],
    violations,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
