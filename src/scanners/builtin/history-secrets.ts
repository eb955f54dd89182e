/**
 * The secrets one history line holds: `ENV`/`ARG` values, build arguments recorded before a `RUN`, known
 * token formats and credentials in commands. Shared by the history check and by everything that quotes a
 * `created_by` line (layer references), which must mask them. Pure.
 */
import type { InstructionHint } from '../../findings/finding.js'
import { parseHistoryLine } from '../../findings/history-line.js'
import type { Severity } from '../../findings/severity.js'
import { maskSecret, maskSecretsIn } from '../../util/mask.js'
import { credentialsInCommand } from './command-credentials.js'
import { classifyAssignment, knownSecretsIn } from './secret-values.js'

export interface HistorySecret {
  /** Stable, value-free: `history: ENV API_TOKEN`, `history: ARG NPM_TOKEN`, `history: RUN curl -u`. */
  subject: string
  severity: Severity
  /** What was found: `GitHub token`, `Literal value of a secret-named variable`. */
  title: string
  /** The secret and the whole value around it, only ever used to mask them. */
  values: string[]
  instruction?: InstructionHint
  /** For `ENV` pairs: the variable, to tell whether the final config still carries the same value. */
  envPair?: { name: string; value: string }
}

function pairSecrets(keyword: 'ENV' | 'ARG', pairs: { name: string; value?: string }[]): HistorySecret[] {
  const secrets: HistorySecret[] = []
  for (const { name, value } of pairs) {
    if (value === undefined) continue
    const match = classifyAssignment(name, value)
    if (match === undefined) continue
    secrets.push({
      subject: `history: ${keyword} ${name}`,
      severity: match.severity,
      title: match.title,
      // The whole assigned value is masked too, not only the matched token inside it.
      values: [match.value, value],
      instruction: { keyword, argument: name },
      ...(keyword === 'ENV' ? { envPair: { name, value } } : {}),
    })
  }
  return secrets
}

function commandSecrets(
  keyword: string,
  command: string,
  alreadyFound: readonly HistorySecret[] = [],
): HistorySecret[] {
  const prefix = keyword === '' ? 'history:' : `history: ${keyword}`
  const secrets: HistorySecret[] = []
  // A build argument's value written out in its own command is the same leak, reported once.
  const seen = new Set<string>(alreadyFound.flatMap((s) => s.values))
  for (const match of knownSecretsIn(command)) {
    if (seen.has(match.value)) continue
    seen.add(match.value)
    secrets.push({
      subject: `${prefix} ${match.id}`,
      severity: match.severity,
      title: match.title,
      values: [match.value],
    })
  }
  for (const credential of credentialsInCommand(command)) {
    if (seen.has(credential.value)) continue
    secrets.push({
      subject: `${prefix} ${credential.label}`,
      severity: credential.severity,
      title: credential.title,
      values: [credential.value],
    })
  }
  return secrets
}

/** Every secret in a history line, in the order found. */
export function secretsInHistoryLine(createdBy: string): HistorySecret[] {
  const parsed = parseHistoryLine(createdBy)
  switch (parsed.keyword) {
    case 'ENV':
    case 'ARG':
      return pairSecrets(parsed.keyword, parsed.pairs)
    case 'RUN': {
      // Build arguments in scope are ARG values; the command itself may hold more.
      const buildArgs = pairSecrets('ARG', parsed.pairs)
      return [...buildArgs, ...commandSecrets('RUN', parsed.args, buildArgs)]
    }
    default:
      return commandSecrets(parsed.keyword, parsed.args)
  }
}

// Query parameters that carry credentials: presigned URLs (`X-Amz-Signature`, `sig`), `?access_token=…`.
const SENSITIVE_QUERY_PARAMETER =
  /([?&][^=&\s#"']*(?:sig|signature|token|key|secret|password|passwd|auth|credential)[^=&\s#"']*=)([^&\s#"']+)/gi

/** Masks the values of credential-like URL query parameters (`?X-Amz-Signature=…`). */
export function maskUrlQueryCredentials(text: string): string {
  return text.replace(SENSITIVE_QUERY_PARAMETER, (match, name: string, value: string) =>
    // Already masked (`sig=sk_l…(32 chars)`): leave it, so masking a quoted line twice changes nothing.
    /^\S{0,4}…\(\d+$/.test(value) ? match : name + maskSecret(value),
  )
}

/**
 * The line with every secret it holds masked, and credential-like URL query values too: the only form in
 * which a `created_by` line may be quoted.
 */
export function maskHistoryLine(createdBy: string): string {
  return maskUrlQueryCredentials(
    maskSecretsIn(
      createdBy,
      secretsInHistoryLine(createdBy).flatMap((s) => s.values),
    ),
  )
}
