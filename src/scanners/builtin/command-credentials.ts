/**
 * Credentials written into a shell command (a `RUN` line kept in the image history): `curl -u user:pass`,
 * `--password xyz`, an `Authorization:` header, npm's `_authToken=…`, `https://user:pass@host`, and
 * `TOKEN=… ./deploy` assignments. Values that are `$VAR` references are not findings: that is how a build
 * secret should be passed. Pure.
 */
import type { SecretMatch } from './secret-patterns.js'
import { classifyAssignment, isNonSecretValue, unquote, urlCredentialsIn } from './secret-values.js'

export interface CommandCredential extends SecretMatch {
  /** Stable name of what was found, for the finding subject: `curl -u`, `API_TOKEN` (never the value). */
  label: string
}

interface CommandRule {
  id: string
  label: string
  title: string
  regex: RegExp
}

// A value: quoted, or a run of characters that ends the shell word.
const VALUE = `("[^"]*"|'[^']*'|[^\\s"';&|)]+)`

const COMMAND_RULES: readonly CommandRule[] = [
  {
    id: 'curl-user',
    label: 'curl -u',
    title: 'Password given to curl with -u/--user',
    // Only within one curl command: `-u` means something else to useradd, sort or docker run.
    regex: /\bcurl\b[^;&|\n]*?\s(?:-u|--user)(?:\s+|=)?["']?[^\s"':]+:([^\s"';&|]+)/g,
  },
  {
    id: 'password-option',
    label: '--password',
    title: 'Password given on the command line',
    // `--password x`, `--password=x`, `--http-password x`; never `--password-stdin`.
    regex: new RegExp(`--(?:[a-z]+-)?(?:password|passwd)(?:=|\\s+)${VALUE}`, 'g'),
  },
  {
    id: 'token-option',
    label: '--token',
    title: 'Token given on the command line',
    regex: new RegExp(`--(?:access-|auth-|api-)?(?:token|api-key|apikey)(?:=|\\s+)${VALUE}`, 'g'),
  },
  {
    id: 'sshpass',
    label: 'sshpass -p',
    title: 'Password given to sshpass',
    regex: new RegExp(`\\bsshpass\\s+-p\\s*${VALUE}`, 'g'),
  },
  {
    id: 'authorization-header',
    label: 'Authorization header',
    title: 'Credentials in an HTTP Authorization header',
    regex: /\b(?:Authorization:\s*(?:Bearer|Basic|token)|PRIVATE-TOKEN:|X-API-Key:)\s*([^\s"';&|]+)/gi,
  },
  {
    id: 'npm-auth',
    label: 'npm _authToken',
    title: 'npm registry credentials',
    regex: new RegExp(`:?_(?:authToken|auth|password)\\s*=\\s*${VALUE}`, 'g'),
  },
]

// `NAME=value` at the start of a shell word: `TOKEN=abc ./deploy.sh`, `export API_KEY=…`.
const ASSIGNMENT = new RegExp(`(?:^|[\\s;&|(])(?:export\\s+)?([A-Za-z_][A-Za-z0-9_]*)=${VALUE}`, 'g')

/** Every credential in a command line, each distinct value once (the most specific rule wins). */
export function credentialsInCommand(command: string): CommandCredential[] {
  const found = new Map<string, CommandCredential>()
  const add = (credential: CommandCredential): void => {
    if (!found.has(credential.value)) found.set(credential.value, credential)
  }
  for (const rule of COMMAND_RULES) {
    for (const match of command.matchAll(rule.regex)) {
      const value = unquote(match[1] ?? '')
      if (isNonSecretValue(value)) continue
      add({ id: rule.id, label: rule.label, title: rule.title, severity: 'high', value })
    }
  }
  for (const match of urlCredentialsIn(command)) add({ ...match, label: 'URL credentials' })
  for (const match of command.matchAll(ASSIGNMENT)) {
    const name = match[1] ?? ''
    const classified = classifyAssignment(name, match[2] ?? '')
    // Known formats are reported by pattern elsewhere; here only what the name tells.
    if (classified?.id === 'sensitive-name') add({ ...classified, label: name })
  }
  return [...found.values()]
}
