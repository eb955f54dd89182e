/**
 * Which files can hold credentials, and how to confirm from their content that they do. Candidates are
 * chosen by name only (content is read for them alone); library and test trees are skipped, because
 * packages ship test keys and sample `.env` files by the hundred. Pure.
 */
import type { KnownSecretSpan, SecretMatch } from './secret-patterns.js'
import {
  classifyUnknownFormat,
  isNonSecretValue,
  knownSecretSpansIn,
  knownSecretsIn,
  unquote,
  urlCredentialsIn,
} from './secret-values.js'
import { baseName } from './check.js'

/** What the content says: the credentials found, or that it could not be read well enough to tell. */
export type FileAnalysis = SecretMatch[] | 'unconfirmed'

export interface SecretFileRule {
  id: string
  /** What the file is, for titles: `SSH private key`, `npm configuration`. */
  label: string
  matches(path: string): boolean
  /**
   * True when the name alone is strong enough to report the file (high) if its content cannot be read or
   * parsed; false for names that are mostly harmless (`*.pem` certificates, `.env` without secrets).
   */
  reportUnconfirmed: boolean
  analyze(text: string): FileAnalysis
}

/** Directory names and prefixes of library, vendored and test trees. */
const LIBRARY_DIRECTORIES = new Set([
  'node_modules',
  'vendor',
  'site-packages',
  'dist-packages',
  'test',
  'tests',
  'testdata',
  'testing',
  '__tests__',
  'fixtures',
  'example',
  'examples',
])
const LIBRARY_PREFIXES = [
  'usr/share/',
  'usr/include/',
  'usr/lib/',
  'usr/local/go/',
  'usr/local/lib/',
  'usr/local/share/',
  'opt/yarn-',
]

export function isLibraryPath(path: string): boolean {
  if (LIBRARY_PREFIXES.some((p) => path.startsWith(p))) return true
  return path
    .split('/')
    .slice(0, -1)
    .some((dir) => LIBRARY_DIRECTORIES.has(dir))
}

function literal(id: string, title: string, raw: string): SecretMatch | undefined {
  const value = unquote(raw)
  return isNonSecretValue(value) ? undefined : { id, title, severity: 'critical', value }
}

/** Known token formats plus the values `regex` captures in group 1, each value once. */
function analyzeWith(text: string, id: string, title: string, regex: RegExp): SecretMatch[] {
  const matches = new Map<string, SecretMatch>()
  for (const known of knownSecretsIn(text)) matches.set(known.value, known)
  for (const m of text.matchAll(regex)) {
    const found = literal(id, title, m[1] ?? '')
    if (found !== undefined && !matches.has(found.value)) matches.set(found.value, found)
  }
  return [...matches.values()]
}

function privateKeys(text: string): SecretMatch[] {
  return knownSecretsIn(text).filter((m) => m.id === 'private-key')
}

function pgpassPasswords(text: string): SecretMatch[] {
  const matches: SecretMatch[] = []
  for (const line of text.split('\n')) {
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue
    // host:port:database:user:password — the password is everything after the fourth colon.
    const fields = line.replace(/\r$/, '').split(':')
    if (fields.length < 5) continue
    const found = literal('pgpass-password', 'PostgreSQL password', fields.slice(4).join(':'))
    if (found !== undefined) matches.push(found)
  }
  return matches
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function dockerConfigCredentials(text: string): FileAnalysis {
  let document: unknown
  try {
    document = JSON.parse(text)
  } catch {
    return 'unconfirmed'
  }
  if (!isRecord(document)) return 'unconfirmed'
  // `config.json` keeps registries under `auths`; the legacy `.dockercfg` at the top level.
  const registries = isRecord(document.auths) ? document.auths : document
  const matches: SecretMatch[] = [...knownSecretsIn(text)]
  for (const entry of Object.values(registries)) {
    if (!isRecord(entry)) continue
    for (const field of ['auth', 'identitytoken', 'registrytoken', 'password']) {
      const value = entry[field]
      if (typeof value === 'string' && value.trim() !== '') {
        matches.push({ id: 'docker-auth', title: 'Docker registry credentials', severity: 'critical', value })
      }
    }
  }
  return matches
}

/**
 * `NAME=value` lines of a `.env` file (`export NAME=value` too): name in group 1, the rest of the line in
 * group 2. Tried at line starts only, and every part is a single run, so one pass is linear in the text.
 */
const DOTENV_ASSIGNMENT = /^[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_.-]*)[ \t]*=([^\n]*)/gm

/** Where an unquoted value's comment starts (` #`), or the value's length: as dotenv parsers read it. */
function commentStart(value: string): number {
  for (let i = value.indexOf('#'); i > 0; i = value.indexOf('#', i + 1)) {
    if (/\s/.test(value[i - 1]!)) return i
  }
  return value.length
}

/**
 * The secrets of a `.env` file: each `NAME=value` line classified as an ENV instruction is. Known token
 * formats are found by one pass over the whole text, not per line (15 patterns on every short line cost
 * ~20 ms per 64 KiB): an assignment takes the first-listed pattern whose match starts in it (a match may
 * run on, as a quoted multi-line private key does).
 */
function dotenvAssignments(text: string): SecretMatch[] {
  const spans = knownSecretSpansIn(text).sort((a, b) => a.start - b.start)
  let nextSpan = 0
  const matches: SecretMatch[] = []
  for (const m of text.matchAll(DOTENV_ASSIGNMENT)) {
    const rest = m[2] ?? ''
    let value = rest.trim()
    const quoted = value.startsWith('"') || value.startsWith("'")
    if (!quoted) value = value.slice(0, commentStart(value)).trimEnd()
    const valueStart = m.index + m[0].length - rest.length + (rest.length - rest.trimStart().length)
    const valueEnd = valueStart + value.length
    while (nextSpan < spans.length && spans[nextSpan]!.start < m.index) nextSpan++
    let known: KnownSecretSpan | undefined
    for (let i = nextSpan; i < spans.length && spans[i]!.start < valueEnd; i++) {
      if (known === undefined || spans[i]!.patternIndex < known.patternIndex) known = spans[i]
    }
    const found = known?.match ?? classifyUnknownFormat(m[1] ?? '', value)
    if (found !== undefined) matches.push(found)
  }
  return matches
}

const SSH_KEY_NAMES = new Set(['id_rsa', 'id_dsa', 'id_ecdsa', 'id_ed25519', 'id_ecdsa_sk', 'id_ed25519_sk'])
const DOTENV_TEMPLATES = new Set([
  'example',
  'sample',
  'template',
  'tpl',
  'dist',
  'defaults',
  'schema',
  'tmpl',
])

const endsWithPath = (suffix: string) => (path: string) => path === suffix || path.endsWith(`/${suffix}`)

/** In order: the first rule whose name matches a path decides. */
export const SECRET_FILE_RULES: readonly SecretFileRule[] = [
  {
    id: 'ssh-private-key',
    label: 'SSH private key',
    matches: (path) => SSH_KEY_NAMES.has(baseName(path)),
    reportUnconfirmed: true,
    analyze: privateKeys,
  },
  {
    id: 'key-file',
    label: 'Private key file',
    // Mostly certificates and public keys: reported only when the content holds a private key.
    matches: (path) => /\.(?:pem|key|p8)$/i.test(baseName(path)),
    reportUnconfirmed: false,
    analyze: privateKeys,
  },
  {
    id: 'aws-credentials',
    label: 'AWS credentials file',
    matches: endsWithPath('.aws/credentials'),
    reportUnconfirmed: true,
    analyze: (text) =>
      analyzeWith(
        text,
        'aws-secret-access-key',
        'AWS secret access key',
        /^[ \t]*(?:aws_secret_access_key|aws_session_token)[ \t]*=[ \t]*(\S+)/gim,
      ),
  },
  {
    id: 'npmrc',
    label: 'npm configuration',
    matches: (path) => baseName(path) === '.npmrc',
    reportUnconfirmed: true,
    analyze: (text) =>
      analyzeWith(
        text,
        'npm-auth',
        'npm registry credentials',
        /(?:^|:)_(?:authToken|auth|password)\s*=\s*(.+)$/gm,
      ),
  },
  {
    id: 'pypirc',
    label: 'PyPI configuration',
    matches: (path) => baseName(path) === '.pypirc',
    reportUnconfirmed: true,
    analyze: (text) =>
      analyzeWith(text, 'pypi-password', 'PyPI password', /^[ \t]*password[ \t]*[:=][ \t]*(.+)$/gim),
  },
  {
    id: 'netrc',
    label: 'netrc credentials',
    matches: (path) => baseName(path) === '.netrc' || baseName(path) === '_netrc',
    reportUnconfirmed: true,
    analyze: (text) => analyzeWith(text, 'netrc-password', 'netrc password', /\bpassword\s+(\S+)/g),
  },
  {
    id: 'pgpass',
    label: 'PostgreSQL password file',
    matches: (path) => baseName(path) === '.pgpass',
    reportUnconfirmed: true,
    analyze: pgpassPasswords,
  },
  {
    id: 'git-credentials',
    label: 'Git credential store',
    matches: (path) => baseName(path) === '.git-credentials' || endsWithPath('.config/git/credentials')(path),
    reportUnconfirmed: true,
    analyze: (text) =>
      [...knownSecretsIn(text), ...urlCredentialsIn(text)].map((m) => ({
        ...m,
        severity: 'critical' as const,
      })),
  },
  {
    id: 'docker-config',
    label: 'Docker registry credentials file',
    matches: (path) => endsWithPath('.docker/config.json')(path) || baseName(path) === '.dockercfg',
    reportUnconfirmed: true,
    analyze: dockerConfigCredentials,
  },
  {
    id: 'kubeconfig',
    label: 'Kubernetes client configuration',
    matches: (path) =>
      endsWithPath('.kube/config')(path) ||
      baseName(path) === 'kubeconfig' ||
      baseName(path).endsWith('.kubeconfig') ||
      path === 'etc/kubernetes/admin.conf',
    reportUnconfirmed: true,
    analyze: (text) =>
      analyzeWith(
        text,
        'kubeconfig-credential',
        'Kubernetes client credential',
        /^[ \t]*(?:token|client-key-data|password)[ \t]*:[ \t]*["']?([^\s"']+)/gm,
      ),
  },
  {
    id: 'dotenv',
    label: 'Environment file',
    matches: (path) => {
      const name = baseName(path)
      if (!/^\.env(?:\.[A-Za-z0-9_-]+)*$/.test(name)) return false
      return !name.split('.').some((part) => DOTENV_TEMPLATES.has(part.toLowerCase()))
    },
    reportUnconfirmed: false,
    analyze: dotenvAssignments,
  },
]

/**
 * Keys every installation of a package generates or ships (the snakeoil TLS key, SSH host keys made at
 * build time): `csg/shared-private-key` reports them, with their own advice, never `csg/secret-file`.
 */
export function isWellKnownKeyPath(path: string): boolean {
  if (path === 'etc/ssl/private/ssl-cert-snakeoil.key') return true
  return /^etc\/ssh\/ssh_host_[a-z0-9]+_key$/.test(path)
}

const PEM_BEGIN = Buffer.from('-----BEGIN ')
const OPENSSH_KEY_BEGIN = Buffer.from('-----BEGIN OPENSSH PRIVATE KEY-----')

/**
 * True when a file starts like PEM private key material (`-----BEGIN … PRIVATE KEY-----`). Looks at the
 * first 80 bytes only, so it is cheap on every small file of an image.
 */
export function startsLikePrivateKey(head: Buffer): boolean {
  if (head.length < PEM_BEGIN.length || !head.subarray(0, PEM_BEGIN.length).equals(PEM_BEGIN)) return false
  if (head.subarray(0, OPENSSH_KEY_BEGIN.length).equals(OPENSSH_KEY_BEGIN)) return true
  const line = head.subarray(0, 80).toString('latin1').split('\n', 1)[0] ?? ''
  return /^-----BEGIN [A-Z0-9 ]{0,40}PRIVATE KEY-----/.test(line)
}

/** Any other file whose content starts with a private key (`deploy_key`, a key without an extension). */
const PRIVATE_KEY_CONTENT_RULE: SecretFileRule = {
  id: 'private-key-content',
  label: 'Private key',
  matches: () => false,
  reportUnconfirmed: false,
  analyze: privateKeys,
}

/**
 * The rule for a candidate file, or undefined (not a candidate, inside a library/test tree, or a
 * well-known shared key). `sniffed`: the file's first bytes look like a private key, whatever its name.
 */
export function secretFileRuleFor(path: string, sniffed = false): SecretFileRule | undefined {
  if (isLibraryPath(path) || isWellKnownKeyPath(path)) return undefined
  return (
    SECRET_FILE_RULES.find((rule) => rule.matches(path)) ?? (sniffed ? PRIVATE_KEY_CONTENT_RULE : undefined)
  )
}
