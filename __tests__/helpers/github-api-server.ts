/**
 * A loopback stand-in for the parts of the GitHub REST API the action uses: the code-scanning SARIF upload
 * and its processing status, and a pull request's issue comments. It checks every upload against the
 * REST contract of `code-scanning/upload-sarif` (documented fields only, `commit_sha`, `ref`, and a `sarif`
 * that decodes base64 → gunzip → a SARIF 2.1.0 log) and answers 422 with GitHub's style of message when
 * the contract is broken, so a test cannot pass with a request GitHub would refuse.
 *
 * Responses can be scripted per route and per call (`setResponses`): GitHub's real 403 bodies, 404, 413,
 * 500-then-202, a dropped connection. Unscripted calls get the default behaviour.
 *
 * What GitHub does with what it accepts, modelled so tests see what users would see:
 * - An analysis is keyed by commit, ref, tool (`runs[].tool.driver.name`) and category
 *   (`runs[].automationDetails.id`): a later upload with the same key replaces the earlier one, and its
 *   alerts that are not in the new one are closed ("Uploading a SARIF file to GitHub" → category;
 *   github/codeql-action v4.36.2 src/upload-lib.ts validateUniqueCategory: one run per tool/category).
 * - Only 5,000 results of a run are stored and shown ("SARIF results exceed one or more limits": results
 *   per run 25,000, "only the top 5,000 results will be included"). In practice the choice was not by
 *   severity ("An analysis file contained 5421 results which is more than our limit of 5000. Only 5000
 *   were stored", github/docs#38085), so the stand-in keeps the first 5,000 in file order: only a client
 *   that sends the most severe 5,000 itself is sure they are the ones shown.
 * - Every answer carries the primary rate-limit headers (`x-ratelimit-limit`, `-remaining`, `-used`,
 *   `-reset`, `-resource`); when the quota is spent, requests get GitHub's 403 with
 *   `x-ratelimit-remaining: 0` until the reset ("Rate limits for the REST API", docs.github.com/en/rest/
 *   using-the-rest-api/rate-limits-for-the-rest-api, "Exceeding the rate limit"). `setQuota` sets it.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'
import type { Log } from 'sarif'
import { checkUploadContract, hasDuplicateCategory } from './upload-contract.js'

export { checkUploadContract } from './upload-contract.js'

export type ApiRoute = 'upload-sarif' | 'get-sarif' | 'list-comments' | 'create-comment' | 'update-comment'

export type ScriptedResponse =
  | { status: number; body?: unknown; headers?: Record<string, string> }
  /** Close the connection without answering (a network error for the client). */
  | { drop: true }

/** What processing reports on successive status checks of one upload; the last entry repeats. */
export type ProcessingStep = 'pending' | 'complete' | { failed: string[] }

export interface RecordedRequest {
  route: ApiRoute | 'unknown'
  method: string
  /** Path without the base path and query. */
  path: string
  query: Record<string, string>
  headers: Record<string, string | string[] | undefined>
  rawBody: string
  /** The body parsed as JSON, when it is. */
  body: unknown
}

/** GitHub stores at most this many results of a run. */
export const SHOWN_RESULTS_PER_RUN = 5000

export interface StoredAnalysis {
  ref: string
  commitSha: string
  tool: string
  category: string
  /** Results in the uploaded run. */
  results: number
  /** `partialFingerprints.primaryLocationLineHash` of the results stored (the first 5,000). */
  shownFingerprints: string[]
  /** Levels of the results stored, in the same order. */
  shownLevels: string[]
  /** What GitHub says about results it did not store. */
  warnings: string[]
}

export interface StoredComment {
  id: number
  body: string
  user: { login: string; type: 'Bot' | 'User' }
  html_url: string
}

export interface GitHubApiOptions {
  /** Serve under a prefix, like GitHub Enterprise Server's `/api/v3`. */
  basePath?: string
  /** Largest page of comments, whatever `per_page` asks (GitHub's is 100). */
  maxPageSize?: number
}

export interface GitHubApi {
  /** The API base URL to use as GITHUB_API_URL (no trailing slash). */
  url: string
  /** Every request received, in order. */
  requests: RecordedRequest[]
  /** Queue answers for the next calls of a route; they are used in order, then the default applies. */
  setResponses(route: ApiRoute, ...responses: ScriptedResponse[]): void
  /** Processing steps for uploads accepted from now on. Default `['pending', 'complete']`. */
  setProcessing(...steps: ProcessingStep[]): void
  /** The SARIF logs of every accepted upload, decoded. */
  decodedSarifs(): Log[]
  /** Accepted upload bodies (with `sarif` still encoded). */
  uploads(): Record<string, unknown>[]
  /** Contract violations found in upload requests (each also answered 422). */
  violations(): string[]
  /** The analyses code scanning holds now: one per commit, ref, tool and category; later uploads replace earlier ones. */
  analyses(): StoredAnalysis[]
  /** How many analyses were replaced by a later upload with the same commit, ref, tool and category. */
  replacedAnalyses(): number
  /**
   * The primary rate-limit quota of the token: `remaining` requests until `resetEpochSeconds`. Each request
   * uses one; at 0 the API answers 403 with `x-ratelimit-remaining: 0` (the quota is not reset by time here,
   * only by another `setQuota`). Default: 5,000 remaining.
   */
  setQuota(quota: { remaining: number; resetEpochSeconds: number; limit?: number }): void
  seedComments(issueNumber: number, comments: { body: string; login?: string; type?: 'Bot' | 'User' }[]): void
  comments(issueNumber: number): StoredComment[]
  close(): Promise<void>
}

/** GitHub's answers, as its API gives them. */
export const githubErrors = {
  resourceNotAccessible: {
    status: 403,
    body: {
      message: 'Resource not accessible by integration',
      documentation_url:
        'https://docs.github.com/rest/code-scanning/code-scanning#upload-an-analysis-as-sarif-data',
      status: '403',
    },
  },
  // The enablement messages codeql-action recognises as such (github/codeql-action v4.36.2
  // src/api-client.ts isEnablementError: /Code Security must be enabled/i, /Advanced Security must be
  // enabled/i, /Code Scanning is not enabled/i, all on a 403).
  codeSecurityRequired: {
    status: 403,
    body: {
      message: 'Code Security must be enabled for this repository to use code scanning.',
      documentation_url:
        'https://docs.github.com/rest/code-scanning/code-scanning#upload-an-analysis-as-sarif-data',
      status: '403',
    },
  },
  advancedSecurityRequired: {
    status: 403,
    body: {
      message: 'Advanced Security must be enabled for this repository to use code scanning.',
      documentation_url:
        'https://docs.github.com/rest/code-scanning/code-scanning#upload-an-analysis-as-sarif-data',
      status: '403',
    },
  },
  codeScanningNotEnabled: {
    status: 403,
    body: {
      message:
        'Code scanning is not enabled for this repository. Please enable code scanning in the repository settings.',
      documentation_url:
        'https://docs.github.com/rest/code-scanning/code-scanning#upload-an-analysis-as-sarif-data',
      status: '403',
    },
  },
  // A secondary rate limit: 403 (or 429) and a message saying so, `retry-after` only sometimes
  // ("Rate limits for the REST API", "Exceeding the rate limit").
  secondaryRateLimit: {
    status: 403,
    body: {
      message:
        'You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID 0000:0000:0000000:0000000:00000000.',
      documentation_url:
        'https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits',
      status: '403',
    },
  },
  notFound: {
    status: 404,
    body: { message: 'Not Found', documentation_url: 'https://docs.github.com/rest', status: '404' },
  },
  payloadTooLarge: { status: 413, body: { message: 'Payload Too Large', status: '413' } },
  serverError: { status: 500, body: '' },
  serviceUnavailable: { status: 503, body: { message: 'Service Unavailable', status: '503' } },
} satisfies Record<string, ScriptedResponse>

export async function startGitHubApi(options: GitHubApiOptions = {}): Promise<GitHubApi> {
  const basePath = (options.basePath ?? '').replace(/\/+$/, '')
  const maxPageSize = options.maxPageSize ?? 100
  const requests: RecordedRequest[] = []
  const scripted = new Map<ApiRoute, ScriptedResponse[]>()
  const sarifs: Log[] = []
  const accepted: Record<string, unknown>[] = []
  const violations: string[] = []
  const uploadsById = new Map<string, { steps: ProcessingStep[]; checks: number }>()
  const comments = new Map<number, StoredComment[]>()
  let processing: ProcessingStep[] = ['pending', 'complete']
  let nextId = 1
  let baseUrl = ''
  const analyses = new Map<string, StoredAnalysis>()
  let replaced = 0
  let quota = { limit: 5000, remaining: 5000, resetEpochSeconds: Math.floor(Date.now() / 1000) + 3600 }
  const sockets = new Set<Socket>()

  const send = (
    res: ServerResponse,
    status: number,
    body: unknown,
    headers: Record<string, string> = {},
  ): void => {
    const text = typeof body === 'string' ? body : JSON.stringify(body)
    const rateLimitHeaders = {
      'x-ratelimit-limit': String(quota.limit),
      'x-ratelimit-remaining': String(quota.remaining),
      'x-ratelimit-used': String(quota.limit - quota.remaining),
      'x-ratelimit-reset': String(quota.resetEpochSeconds),
      'x-ratelimit-resource': 'core',
    }
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      ...rateLimitHeaders,
      ...headers,
    })
    res.end(text)
  }

  const handle = (req: IncomingMessage, res: ServerResponse, rawBody: string): void => {
    const parsed = new URL(req.url ?? '/', 'http://127.0.0.1')
    let path = parsed.pathname
    if (basePath !== '') {
      if (!path.startsWith(`${basePath}/`)) return send(res, 404, githubErrors.notFound.body)
      path = path.slice(basePath.length)
    }
    const method = req.method ?? 'GET'
    const route = routeOf(method, path)
    let body: unknown
    try {
      body = rawBody === '' ? undefined : JSON.parse(rawBody)
    } catch {
      body = undefined
    }
    requests.push({
      route: route?.name ?? 'unknown',
      method,
      path,
      query: Object.fromEntries(parsed.searchParams),
      headers: req.headers,
      rawBody,
      body,
    })
    if (!route) return send(res, 404, githubErrors.notFound.body)
    if (
      typeof req.headers.authorization !== 'string' ||
      !/^(Bearer|token) \S+$/.test(req.headers.authorization)
    ) {
      return send(res, 401, {
        message: 'Requires authentication',
        documentation_url: 'https://docs.github.com/rest',
      })
    }
    if (quota.remaining <= 0) {
      return send(res, 403, {
        message:
          'API rate limit exceeded for installation ID 1. If you reach out to GitHub Support for help, please include the request ID 0000:0000:0000000:0000000:00000000 and timestamp 2025-01-01 00:00:00 UTC.',
        documentation_url:
          'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-the-primary-rate-limit',
        status: '403',
      })
    }
    quota.remaining--
    const next = scripted.get(route.name)?.shift()
    if (next !== undefined) {
      if ('drop' in next) {
        req.socket.destroy()
        return
      }
      return send(res, next.status, next.body ?? '', next.headers)
    }
    switch (route.name) {
      case 'upload-sarif':
        return uploadSarif(res, route.params, body, rawBody)
      case 'get-sarif':
        return getSarif(res, route.params)
      case 'list-comments':
        return listComments(res, route.params, parsed.searchParams)
      case 'create-comment':
        return createComment(res, route.params, body)
      case 'update-comment':
        return updateComment(res, route.params, body)
    }
  }

  const uploadSarif = (res: ServerResponse, params: Params, body: unknown, rawBody: string): void => {
    const problems = checkUploadContract(body, rawBody)
    if (problems.tooLarge) return send(res, 413, githubErrors.payloadTooLarge.body)
    if (problems.errors.length > 0) {
      violations.push(...problems.errors)
      return send(res, 422, {
        message: `Invalid request.\n\n${problems.errors.join('\n')}`,
        documentation_url:
          'https://docs.github.com/rest/code-scanning/code-scanning#upload-an-analysis-as-sarif-data',
        status: '422',
      })
    }
    const id = `${String(nextId++).padStart(8, '0')}-5596-11eb-80a1-c1e54ef945c6`
    sarifs.push(problems.log!)
    accepted.push(body as Record<string, unknown>)
    storeAnalyses(body as Record<string, unknown>, problems.log!)
    // GitHub refuses two runs with the same tool and category in one file (since July 2025) while processing.
    const steps: ProcessingStep[] = hasDuplicateCategory(problems.log!)
      ? ['pending', { failed: ['A delivery cannot contain multiple runs with the same category'] }]
      : [...processing]
    uploadsById.set(id, { steps, checks: 0 })
    send(res, 202, { id, url: `${baseUrl}/repos/${params.owner}/${params.repo}/code-scanning/sarifs/${id}` })
  }

  /** One analysis per run; a later one with the same commit, ref, tool and category replaces it. */
  const storeAnalyses = (body: Record<string, unknown>, log: Log): void => {
    for (const run of log.runs) {
      const tool = run.tool.driver.name
      const id = run.automationDetails?.id ?? ''
      const category = id.includes('/') ? id.slice(0, id.lastIndexOf('/') + 1) : id
      const results = run.results ?? []
      const shown = results.slice(0, SHOWN_RESULTS_PER_RUN)
      const analysis: StoredAnalysis = {
        ref: String(body['ref']),
        commitSha: String(body['commit_sha']),
        tool,
        category,
        results: results.length,
        shownFingerprints: shown.map((r) => r.partialFingerprints?.['primaryLocationLineHash'] ?? ''),
        shownLevels: shown.map((r) => r.level ?? 'warning'),
        warnings:
          results.length > SHOWN_RESULTS_PER_RUN
            ? [
                `An analysis file contained ${results.length} results which is more than our limit of ${SHOWN_RESULTS_PER_RUN}. Only ${SHOWN_RESULTS_PER_RUN} were stored`,
              ]
            : [],
      }
      const key = [analysis.commitSha, analysis.ref, tool, category].join('\u0000')
      if (analyses.has(key)) replaced++
      analyses.set(key, analysis)
    }
  }

  const getSarif = (res: ServerResponse, params: Params): void => {
    const upload = uploadsById.get(params.id ?? '')
    if (!upload)
      return send(res, 404, { message: 'Not Found', documentation_url: 'https://docs.github.com/rest' })
    const step = upload.steps[Math.min(upload.checks, upload.steps.length - 1)] ?? 'complete'
    upload.checks++
    if (step === 'pending')
      return send(res, 200, { processing_status: 'pending', analyses_url: null, errors: null })
    if (step === 'complete') {
      return send(res, 200, {
        processing_status: 'complete',
        analyses_url: `${baseUrl}/repos/${params.owner}/${params.repo}/code-scanning/analyses?sarif_id=${params.id}`,
        errors: null,
      })
    }
    send(res, 200, { processing_status: 'failed', analyses_url: null, errors: step.failed })
  }

  const listComments = (res: ServerResponse, params: Params, query: URLSearchParams): void => {
    const issue = Number(params.issue)
    const all = comments.get(issue) ?? []
    const perPage = Math.min(Math.max(Number(query.get('per_page') ?? 30) || 30, 1), 100, maxPageSize)
    const page = Math.max(Number(query.get('page') ?? 1) || 1, 1)
    const last = Math.max(Math.ceil(all.length / perPage), 1)
    const pageUrl = (n: number): string =>
      `${baseUrl}/repos/${params.owner}/${params.repo}/issues/${issue}/comments?per_page=${perPage}&page=${n}`
    const links: string[] = []
    if (page < last) links.push(`<${pageUrl(page + 1)}>; rel="next"`, `<${pageUrl(last)}>; rel="last"`)
    if (page > 1) links.push(`<${pageUrl(1)}>; rel="first"`, `<${pageUrl(page - 1)}>; rel="prev"`)
    send(
      res,
      200,
      all.slice((page - 1) * perPage, page * perPage),
      links.length > 0 ? { link: links.join(', ') } : {},
    )
  }

  const commentBodyProblem = (body: unknown): string | undefined => {
    if (!isRecord(body) || typeof body['body'] !== 'string') return 'body is missing'
    if (body['body'].length > 65_536) return 'Body is too long (maximum is 65536 characters)'
    return undefined
  }

  const createComment = (res: ServerResponse, params: Params, body: unknown): void => {
    const problem = commentBodyProblem(body)
    if (problem !== undefined) return send(res, 422, { message: 'Validation Failed', errors: [problem] })
    const issue = Number(params.issue)
    const comment = makeComment(params, issue, (body as { body: string }).body, 'github-actions[bot]', 'Bot')
    comments.set(issue, [...(comments.get(issue) ?? []), comment])
    send(res, 201, comment)
  }

  const updateComment = (res: ServerResponse, params: Params, body: unknown): void => {
    const problem = commentBodyProblem(body)
    if (problem !== undefined) return send(res, 422, { message: 'Validation Failed', errors: [problem] })
    const id = Number(params.id)
    for (const list of comments.values()) {
      const comment = list.find((c) => c.id === id)
      if (comment) {
        comment.body = (body as { body: string }).body
        return send(res, 200, comment)
      }
    }
    send(res, 404, githubErrors.notFound.body)
  }

  let commentId = 1000
  const makeComment = (
    params: Params,
    issue: number,
    body: string,
    login: string,
    type: 'Bot' | 'User',
  ): StoredComment => {
    const id = commentId++
    return {
      id,
      body,
      user: { login, type },
      html_url: `https://github.com/${params.owner}/${params.repo}/pull/${issue}#issuecomment-${id}`,
    }
  }

  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      try {
        handle(req, res, Buffer.concat(chunks).toString('utf8'))
      } catch (error) {
        send(res, 500, { message: `stand-in error: ${String(error)}` })
      }
    })
  })
  server.on('connection', (socket) => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  baseUrl = `http://127.0.0.1:${port}${basePath}`

  return {
    url: baseUrl,
    requests,
    setResponses(route, ...responses) {
      scripted.set(route, [...(scripted.get(route) ?? []), ...responses])
    },
    setProcessing(...steps) {
      if (steps.length === 0) throw new Error('setProcessing needs at least one step')
      processing = steps
    },
    decodedSarifs: () => [...sarifs],
    uploads: () => [...accepted],
    violations: () => [...violations],
    analyses: () => [...analyses.values()].map((a) => ({ ...a })),
    replacedAnalyses: () => replaced,
    setQuota(next) {
      quota = {
        limit: next.limit ?? 5000,
        remaining: next.remaining,
        resetEpochSeconds: next.resetEpochSeconds,
      }
    },
    seedComments(issueNumber, seeded) {
      const list = comments.get(issueNumber) ?? []
      for (const c of seeded) {
        list.push(
          makeComment(
            { owner: 'seed', repo: 'seed' },
            issueNumber,
            c.body,
            c.login ?? 'someone',
            c.type ?? 'User',
          ),
        )
      }
      comments.set(issueNumber, list)
    },
    comments: (issueNumber) => (comments.get(issueNumber) ?? []).map((c) => ({ ...c })),
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const socket of sockets) socket.destroy()
        server.close((error) => (error ? reject(error) : resolve()))
      }),
  }
}

type Params = Record<string, string | undefined>

function routeOf(method: string, path: string): { name: ApiRoute; params: Params } | undefined {
  const repo = '/repos/([^/]+)/([^/]+)'
  const table: [string, RegExp, ApiRoute, string[]][] = [
    ['POST', new RegExp(`^${repo}/code-scanning/sarifs$`), 'upload-sarif', ['owner', 'repo']],
    ['GET', new RegExp(`^${repo}/code-scanning/sarifs/([^/]+)$`), 'get-sarif', ['owner', 'repo', 'id']],
    ['GET', new RegExp(`^${repo}/issues/(\\d+)/comments$`), 'list-comments', ['owner', 'repo', 'issue']],
    ['POST', new RegExp(`^${repo}/issues/(\\d+)/comments$`), 'create-comment', ['owner', 'repo', 'issue']],
    ['PATCH', new RegExp(`^${repo}/issues/comments/(\\d+)$`), 'update-comment', ['owner', 'repo', 'id']],
  ]
  for (const [m, pattern, name, keys] of table) {
    if (m !== method) continue
    const match = pattern.exec(path)
    if (match) {
      const params: Params = {}
      keys.forEach((key, i) => (params[key] = decodeURIComponent(match[i + 1] ?? '')))
      return { name, params }
    }
  }
  return undefined
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
