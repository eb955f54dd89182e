/**
 * The content checks of csg/secret-file are linear in the bytes read: every rule and every known-token
 * pattern gets 64 KiB (the most a file is read) of each shape that made a regular expression backtrack
 * quadratically (~3–7 s for 32 KiB before; over 5 minutes for one rule at 64 KiB). A regular expression
 * blocks the thread, so jest's timeout cannot stop it: the test measures the whole input and fails past a
 * minute, a guard against minutes, not a performance figure (those are ratios in `npm run bench`). The
 * .env parsing that replaced the per-line regexes is checked for what it reports.
 */
import { describe, expect, it } from '@jest/globals'
import { secretFilesCheck } from '../../../src/scanners/builtin/secret-files.js'
import { SECRET_FILE_RULES } from '../../../src/scanners/builtin/secret-file-rules.js'
import { findKnownSecrets } from '../../../src/scanners/builtin/secret-patterns.js'
import { planted, privateKeyBlock } from './planted.js'
import { runCheck } from './run-check.js'

const SIZE = 64 * 1024
const fill = (unit: string, prefix = ''): string =>
  (prefix + unit.repeat(Math.ceil(SIZE / unit.length))).slice(0, SIZE)

const HOSTILE: readonly [string, string][] = [
  ['blank lines (^\\s* across lines)', fill('\n')],
  ['blank lines with spaces', fill('\n \n')],
  ['an assignment with a long run of spaces inside', fill(' ', 'A=x') + 'y'],
  ['an aws key name before a run of spaces', fill(' ', 'aws_key')],
  ['an aws key name and = before a run of spaces', fill(' ', 'aws_secret_access_key=')],
  ['letters and dots (a URL scheme)', fill('a.')],
  ['SG. repeated (scheme letters and dots)', fill('SG.')],
  ['a://b:c repeated', fill('a://b:c')],
  ['colons and newlines', fill(':\n')],
  ['one-character assignments', fill('A=1\n')],
  ['password: repeated', fill('password:')],
  ['an unterminated private key of dashes', fill('-', '-----BEGIN PRIVATE KEY-----')],
]

describe('secret file content checks on hostile 64 KiB files', () => {
  it.each(HOSTILE)(
    'every rule reads %s without backtracking for minutes',
    (_name, text) => {
      const started = performance.now()
      for (const rule of SECRET_FILE_RULES) expect(() => rule.analyze(text)).not.toThrow()
      expect(findKnownSecrets(text)).toEqual([])
      expect(performance.now() - started).toBeLessThan(60_000)
    },
    120_000,
  )
})

describe('.env files', () => {
  const dotenvFinding = async (content: string) => {
    const findings = await runCheck(secretFilesCheck, {
      layers: [{ createdBy: 'COPY . /app', entries: [{ path: 'app/.env', content }] }],
    })
    return findings.map((f) => ({ severity: f.severity, description: f.description }))
  }

  it.each([
    [
      'a token after export, with a comment',
      `export GITHUB_TOKEN=${planted.githubToken} # ci\n`,
      'critical',
      '(GitHub token)',
    ],
    ['a CRLF line', `NODE_ENV=production\r\nSTRIPE_KEY=${planted.stripeKey}\r\n`, 'critical', 'Stripe'],
    ['a quoted token', `API="${planted.npmToken}"\n`, 'critical', '(npm access token)'],
    [
      'a multi-line quoted private key',
      `TLS_KEY="${privateKeyBlock()}"\nPORT=3000\n`,
      'critical',
      '(Private key)',
    ],
    ['a secret-named literal', `DB_PASSWORD=${planted.password}\n`, 'high', 'Literal value'],
    ['a URL with a password', `DATABASE_URL=postgres://app:${planted.password}@db/app\n`, 'high', 'URL'],
    [
      'an AWS secret key by name and shape',
      `AWS_SECRET_ACCESS_KEY=${planted.awsSecretAccessKey}\n`,
      'critical',
      '(AWS secret access key)',
    ],
  ])('reports %s', async (_name, content, severity, kind) => {
    const [finding, ...rest] = await dotenvFinding(content)
    expect(rest).toEqual([])
    expect(finding?.severity).toBe(severity)
    expect(finding?.description).toContain(kind)
  })

  it.each([
    ['a token in a comment line', `# GITHUB_TOKEN=${planted.githubToken}\nPORT=3000\n`],
    ['a token in the comment of an unquoted value', `PORT=3000 # ${planted.githubToken}\n`],
    ['placeholders and references', 'DB_PASSWORD=changeme\nAPI_TOKEN=${TOKEN}\nSECRET=\n'],
  ])('does not report %s', async (_name, content) => {
    expect(await dotenvFinding(content)).toEqual([])
  })

  it('counts each secret of a large .env once (1,000 tokens in 47 KB)', async () => {
    const lines = Array.from({ length: 1000 }, (_, i) => `T${i}=npm_${String(i).padStart(36, '0')}`)
    const [finding] = await dotenvFinding(`${lines.join('\n')}\n`)
    expect(finding?.description).toContain('holds 1000 secrets (npm access token)')
  })
})

describe('a value found twice in one file', () => {
  it('is one secret, named by the first finder (the known token format)', async () => {
    const config = JSON.stringify({ auths: { 'ghcr.io': { password: planted.githubToken } } })
    const findings = await runCheck(secretFilesCheck, {
      layers: [
        { createdBy: 'COPY . /root', entries: [{ path: 'root/.docker/config.json', content: config }] },
      ],
    })
    expect(findings.map((f) => f.description)).toEqual([
      '/root/.docker/config.json holds a secret (GitHub token). Anyone who can pull the image can read it: ' +
        'revoke the credentials and keep the file out of the image.',
    ])
  })
})
