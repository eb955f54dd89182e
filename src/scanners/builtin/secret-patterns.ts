/**
 * Known secret formats: tokens whose shape alone says what they are, so a match is a finding whatever the
 * variable or file it sits in. Only formats with a distinctive prefix or context are listed (precision
 * over recall: a noisy gate gets switched off). Pure.
 */
import type { Severity } from '../../findings/severity.js'

export interface SecretPattern {
  /** Stable id, used in subjects (`history: RUN github-token`): never change it. */
  id: string
  title: string
  severity: Severity
  /** Global regex; the secret is capture group 1 when there is one, else the whole match. */
  regex: RegExp
  /** Extra validation of a candidate value (length of a key body, ...). */
  accept?: (value: string) => boolean
}

export interface SecretMatch {
  /** Pattern id, or the kind of credential (`url-credentials`, `sensitive-name`). */
  id: string
  title: string
  severity: Severity
  /** The secret itself: only ever used to mask it, never printed. */
  value: string
}

/** How many base64 characters `text` holds, counting up to `enough`. */
function countBase64Characters(text: string, enough: number): number {
  let count = 0
  for (let i = 0; i < text.length && count < enough; i++) {
    const c = text.charCodeAt(i)
    const isBase64 =
      (c >= 65 && c <= 90) ||
      (c >= 97 && c <= 122) ||
      (c >= 48 && c <= 57) ||
      c === 43 ||
      c === 47 ||
      c === 61
    if (isBase64) count++
  }
  return count
}

// No letter or digit right before / after a token: `xAKIA…` or `…EXAMPLEx` is something else.
const START = '(?<![A-Za-z0-9])'
const END = '(?![A-Za-z0-9])'

export const SECRET_PATTERNS: readonly SecretPattern[] = [
  {
    id: 'aws-access-key-id',
    title: 'AWS access key ID',
    severity: 'critical',
    // AKIA: long-term key of an IAM user; ASIA: temporary (STS) key; A3T…: older long-term keys.
    regex: new RegExp(`${START}((?:AKIA|ASIA|A3T[A-Z0-9])[A-Z0-9]{16})${END}`, 'g'),
  },
  {
    id: 'aws-secret-access-key',
    title: 'AWS secret access key',
    severity: 'critical',
    // 40 base64 characters right after an aws…key name: `aws_secret_access_key = …`, `AWS_SECRET_ACCESS_KEY=…`.
    // The separator is `\s*[:=]\s*` or `\s+`, never `\s*\s*` (two adjacent runs backtrack quadratically).
    regex:
      /aws_?(?:secret_?)?(?:access_?)?key["']?(?:\s*[:=]\s*|\s+)["']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])/gi,
  },
  {
    id: 'private-key',
    title: 'Private key',
    severity: 'critical',
    // PEM (`RSA`, `EC`, `OPENSSH`, `ENCRYPTED`, none), PGP (`PGP PRIVATE KEY BLOCK`) and SSH2 (`---- BEGIN SSH2
    // ENCRYPTED PRIVATE KEY ----`). The end marker may be past the bytes read, so it is optional.
    regex:
      /-{4,5}\s?BEGIN[ A-Z0-9_-]{0,40}PRIVATE KEY(?: BLOCK)?\s?-{4,5}([\s\S]+?)(?:-{4,5}\s?END[ A-Z0-9_-]{0,40}PRIVATE KEY(?: BLOCK)?\s?-{4,5}|$)/g,
    // A real key body has well over 32 base64 characters; `-----BEGIN PRIVATE KEY-----` alone in a doc is not one.
    accept: (body) => countBase64Characters(body, 32) >= 32,
  },
  {
    id: 'github-token',
    title: 'GitHub token',
    severity: 'critical',
    // Classic PAT (ghp_), OAuth (gho_), user-to-server (ghu_), server-to-server (ghs_), refresh (ghr_).
    regex: new RegExp(`${START}(gh[pousr]_[A-Za-z0-9]{36,251})${END}`, 'g'),
  },
  {
    id: 'github-fine-grained-token',
    title: 'GitHub fine-grained personal access token',
    severity: 'critical',
    regex: new RegExp(`${START}(github_pat_[A-Za-z0-9_]{50,251})${END}`, 'g'),
  },
  {
    id: 'gitlab-token',
    title: 'GitLab personal access token',
    severity: 'critical',
    // Newer routable tokens carry a `.`-separated suffix that is part of the secret.
    regex: new RegExp(`${START}(glpat-[A-Za-z0-9_-]{20,}(?:\\.[A-Za-z0-9_.-]+)?)`, 'g'),
  },
  {
    id: 'slack-token',
    title: 'Slack token',
    severity: 'critical',
    regex: new RegExp(`${START}(xox[abprs]-[A-Za-z0-9-]{10,})`, 'g'),
  },
  {
    id: 'slack-webhook',
    title: 'Slack incoming webhook URL',
    severity: 'critical',
    regex: /(https:\/\/hooks\.slack\.com\/services\/T[A-Za-z0-9_]+\/B[A-Za-z0-9_]+\/[A-Za-z0-9_]{20,})/g,
  },
  {
    id: 'stripe-secret-key',
    title: 'Stripe live secret or restricted key',
    severity: 'critical',
    // Test-mode keys (sk_test_) give no access to real money or data: not listed.
    regex: new RegExp(`${START}((?:sk|rk)_live_[A-Za-z0-9]{10,247})${END}`, 'g'),
  },
  {
    id: 'google-api-key',
    title: 'Google API key',
    severity: 'critical',
    regex: new RegExp(`${START}(AIza[A-Za-z0-9_-]{35})(?![A-Za-z0-9_-])`, 'g'),
  },
  {
    id: 'npm-token',
    title: 'npm access token',
    severity: 'critical',
    regex: new RegExp(`${START}(npm_[A-Za-z0-9]{36})${END}`, 'g'),
  },
  {
    id: 'pypi-token',
    title: 'PyPI API token',
    severity: 'critical',
    // Macaroon tokens: `pypi-` + base64 of a fixed header naming pypi.org.
    regex: /(pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,})/g,
  },
  {
    id: 'docker-hub-token',
    title: 'Docker Hub personal access token',
    severity: 'critical',
    regex: new RegExp(`${START}(dckr_pat_[A-Za-z0-9_-]{27,})`, 'g'),
  },
  {
    id: 'sendgrid-api-key',
    title: 'SendGrid API key',
    severity: 'critical',
    regex: new RegExp(`${START}(SG\\.[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{43})(?![A-Za-z0-9_-])`, 'g'),
  },
  {
    id: 'huggingface-token',
    title: 'Hugging Face access token',
    severity: 'critical',
    regex: new RegExp(`${START}(hf_[A-Za-z0-9]{34,40})${END}`, 'g'),
  },
]

/** Bounds the work on hostile input: a history line or file longer than this is scanned up to here. */
const MAX_SCANNED_CHARS = 256 * 1024

/** One occurrence of a known-format secret: the pattern matched `text.slice(start, end)`, which holds `match.value`. */
export interface KnownSecretSpan {
  match: SecretMatch
  /** Index of the pattern in `SECRET_PATTERNS` (a lower one wins when two cover one value). */
  patternIndex: number
  start: number
  end: number
}

/**
 * Every occurrence of a known-format secret in `text`, pattern by pattern in `SECRET_PATTERNS` order. One
 * pass of each pattern over the text: every pattern is written so a pass is linear in the text's length.
 */
export function scanKnownSecrets(text: string): KnownSecretSpan[] {
  const scanned = text.length > MAX_SCANNED_CHARS ? text.slice(0, MAX_SCANNED_CHARS) : text
  const spans: KnownSecretSpan[] = []
  SECRET_PATTERNS.forEach((pattern, patternIndex) => {
    for (const match of scanned.matchAll(pattern.regex)) {
      // Trimmed (a key body starts with a newline); still a substring of the text, so it can be masked there.
      const value = (match[1] ?? match[0]).trim()
      if (value === '') continue
      if (pattern.accept !== undefined && !pattern.accept(value)) continue
      spans.push({
        match: { id: pattern.id, title: pattern.title, severity: pattern.severity, value },
        patternIndex,
        start: match.index,
        end: match.index + match[0].length,
      })
    }
  })
  return spans
}

/** Every known-format secret in `text`, each distinct value once (first pattern wins). */
export function findKnownSecrets(text: string): SecretMatch[] {
  const found = new Map<string, SecretMatch>()
  for (const { match } of scanKnownSecrets(text)) {
    if (!found.has(match.value)) found.set(match.value, match)
  }
  return [...found.values()]
}

/** True when an ENV/ARG pair is an AWS secret access key by its name and shape. */
export function isAwsSecretAccessKey(name: string, value: string): boolean {
  return (
    value.length === 40 && /^[A-Za-z0-9/+]{40}$/.test(value) && /aws.*secret|secret.*access.*key/i.test(name)
  )
}
