/**
 * csg/secret-file — credential files in the final filesystem: SSH and other private keys, `.aws/credentials`,
 * `.npmrc`/`.pypirc`/`.netrc`/`.pgpass` with passwords or tokens, `.git-credentials`, Docker registry auth,
 * kube configs with tokens, `.env` files with secrets. A file deleted by a later layer's whiteout, or
 * replaced later, is reported too (naming the layer that added it): that layer still ships it. Content is read
 * only for candidate names and at most 64 KiB of each. One finding per file: critical when the content
 * shows a key or token, high when the name says credentials but the content could not be checked.
 */
import { maxSeverity } from '../../findings/severity.js'
import type { FinalFile, RemovedFile } from '../../target/image-types.js'
import { maskSecret } from '../../util/mask.js'
import { maskHistoryLine } from './history-secrets.js'
import {
  absolutePath,
  excerpt,
  layerRef,
  type CheckContext,
  type CheckFinding,
  type ImageCheck,
} from './check.js'
import { secretFileRuleFor, startsLikePrivateKey, type SecretFileRule } from './secret-file-rules.js'
import type { SecretMatch } from './secret-patterns.js'

/** How many secrets a finding's evidence quotes (masked). */
const MAX_EVIDENCE_ITEMS = 3

function confirmedFinding(rule: SecretFileRule, path: string, found: SecretMatch[]): CheckFinding {
  // One entry per value: a token in a URL is both a token and a URL password.
  const byValue = new Map<string, SecretMatch>()
  for (const m of found) if (!byValue.has(m.value)) byValue.set(m.value, m)
  const matches = [...byValue.values()]
  const kinds = [...new Set(matches.map((m) => m.title))]
  const evidence = matches
    .slice(0, MAX_EVIDENCE_ITEMS)
    .map((m) => `${m.title}: ${maskSecret(m.value)}`)
    .join('; ')
  return {
    title: `${rule.label} in the image: ${path}`,
    description:
      `${path} holds ${matches.length === 1 ? 'a secret' : `${matches.length} secrets`} (${kinds.join(', ')}). ` +
      'Anyone who can pull the image can read it: revoke the credentials and keep the file out of the image.',
    severity: maxSeverity(matches.map((m) => m.severity)),
    subject: path,
    evidence,
    secretValues: matches.map((m) => m.value),
  }
}

function unconfirmedFinding(rule: SecretFileRule, path: string, why: string): CheckFinding {
  return {
    title: `${rule.label} in the image (content not confirmed): ${path}`,
    description:
      `${path} is a ${rule.label.toLowerCase()} by its name, and ${why}, so whether it holds credentials ` +
      'could not be confirmed. Check it, and keep credential files out of the image.',
    severity: 'high',
    subject: path,
  }
}

/** The finding for `file`'s content, without its layer. */
function contentFinding(path: string, file: FinalFile): CheckFinding | undefined {
  const rule = secretFileRuleFor(path, file.entry.sniffed === true)
  if (rule === undefined || file.entry.size === 0) return undefined
  const shownPath = absolutePath(path)
  const content = file.entry.content
  let finding: CheckFinding | undefined
  if (content === undefined) {
    finding = rule.reportUnconfirmed
      ? unconfirmedFinding(rule, shownPath, 'its content was not readable')
      : undefined
  } else {
    const analysis = rule.analyze(content.toString('utf8'))
    if (analysis === 'unconfirmed') {
      finding = rule.reportUnconfirmed
        ? unconfirmedFinding(
            rule,
            shownPath,
            file.entry.contentTruncated === true
              ? 'it is too large to read whole'
              : 'its content could not be parsed',
          )
        : undefined
    } else if (analysis.length > 0) {
      finding = confirmedFinding(rule, shownPath, analysis)
    }
  }
  return finding
}

function evaluateFile(ctx: CheckContext, path: string, file: FinalFile): CheckFinding | undefined {
  const finding = contentFinding(path, file)
  if (finding === undefined) return undefined
  const layer = layerRef(ctx.image, file.layerIndex)
  return layer === undefined ? finding : { ...finding, layer }
}

const sameContent = (a: FinalFile, b: FinalFile | undefined): boolean =>
  b !== undefined && a.entry.content !== undefined && b.entry.content?.equals(a.entry.content) === true

/**
 * A file a later entry removed: the layer that added it still ships it, so it is reported like a file of
 * the final filesystem, naming that layer and the instruction that removed it. Skipped when the final
 * filesystem holds the same bytes at the same path (that finding already says it).
 */
function evaluateRemovedFile(ctx: CheckContext, removed: RemovedFile): CheckFinding | undefined {
  const path = removed.entry.path
  if (sameContent(removed, ctx.files.get(path))) return undefined
  const finding = contentFinding(path, removed)
  if (finding === undefined) return undefined
  const added = layerRef(ctx.image, removed.layerIndex)
  const remover = ctx.image.layers[removed.removedInLayer]
  const addedBy = added?.createdBy === undefined ? '' : ` (\`${excerpt(added.createdBy, 120)}\`)`
  const how =
    removed.removedInLayer === removed.layerIndex
      ? 'overwritten later in the same layer'
      : `deleted by layer ${removed.removedInLayer}` +
        (remover?.createdBy === undefined ? '' : ` (\`${excerpt(maskHistoryLine(remover.createdBy), 120)}\`)`)
  const shownPath = absolutePath(path)
  const result: CheckFinding = {
    ...finding,
    title: finding.title.replace(' in the image', ' in an earlier layer'),
    description:
      `${finding.description} It was added by layer ${removed.layerIndex}${addedBy} and ${how}, but ` +
      'deleting or overwriting a file in a later step does not remove it from the image: the layer that ' +
      'added it still ships it. Use build secrets (RUN --mount=type=secret) or a multi-stage build that ' +
      'copies only what the final image needs.',
    // Apart from a finding on the final file at the same path.
    subject: `${shownPath} (layer ${removed.layerIndex})`,
  }
  return added === undefined ? result : { ...result, layer: added }
}

export const secretFilesCheck: ImageCheck = {
  id: 'csg/secret-file',
  title: 'Credential file in the image',
  kind: 'secret',
  severity: 'critical',
  references: [
    'https://docs.docker.com/build/building/secrets/',
    'https://docs.docker.com/build/concepts/context/#dockerignore-files',
    'https://www.cisecurity.org/benchmark/docker',
  ],
  help: {
    text:
      'A file with credentials is in the image (a private key, cloud or registry credentials, an .npmrc or ' +
      '.env with tokens). Anyone who can pull the image can read it. Revoke the credentials, exclude the file ' +
      'with .dockerignore, and use build secrets (RUN --mount=type=secret) or runtime secrets instead. ' +
      'CIS Docker Benchmark 4.10.',
    markdown: [
      '**Why it matters.** Every file in the image can be read by anyone who can pull it. A private key, ' +
        '`.aws/credentials`, a registry token in `.docker/config.json` or an `.npmrc` with `_authToken` is ' +
        'a leaked credential: **revoke or rotate it**. Deleting it in a later `RUN` does not help — the ' +
        'layer that added it still ships.',
      '',
      '**How to fix.** Keep credential files out of the build context and mount them only for the step ' +
        'that needs them:',
      '',
      '```dockerfile',
      '# .dockerignore',
      '#   .env',
      '#   .npmrc',
      '#   **/id_rsa',
      '',
      '# a step that needs a token or key',
      'RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci',
      'RUN --mount=type=ssh git clone git@github.com:acme/private.git',
      '```',
      '',
      'Provide runtime credentials through the orchestrator (Kubernetes Secrets, Docker secrets), not the image.',
      '',
      'Files under library and test trees (`node_modules`, `site-packages`, `vendor`, `test`, `/usr/share`, …) ' +
        'are not examined: packages ship test keys and sample `.env` files.',
      '',
      '**CIS Docker Benchmark** 4.10 — Ensure secrets are not stored in Dockerfiles.',
    ].join('\n'),
  },
  // Hard links too: their content is the target's, which the reader does not give, so they are reported
  // as unconfirmed when the name is a strong one.
  selects: (header) =>
    (header.type === 'file' || header.type === 'hardlink') &&
    secretFileRuleFor(header.path, header.sniffed === true) !== undefined,
  wantsContent: (header) => secretFileRuleFor(header.path) !== undefined,
  // Private keys by content, whatever the file is called (a by-name rule, when one matches, still decides).
  sniffsContent: (header, head) =>
    startsLikePrivateKey(head) && secretFileRuleFor(header.path, true) !== undefined,
  evaluate(ctx) {
    const findings: CheckFinding[] = []
    for (const [path, file] of ctx.files) {
      const finding = evaluateFile(ctx, path, file)
      if (finding !== undefined) findings.push(finding)
    }
    const reportedRemoved = new Set<string>()
    for (const removed of ctx.removedFiles ?? []) {
      const finding = evaluateRemovedFile(ctx, removed)
      // One finding per path and adding layer (a file replaced twice is still one leak).
      if (finding === undefined || reportedRemoved.has(finding.subject ?? '')) continue
      reportedRemoved.add(finding.subject ?? '')
      findings.push(finding)
    }
    return findings.sort((a, b) => ((a.subject ?? '') < (b.subject ?? '') ? -1 : 1))
  },
}
