/**
 * csg/secret-in-history — a secret in the image history (`created_by` lines): `ENV`/`ARG` values, build
 * arguments recorded before each `RUN` (`|1 NPM_TOKEN=… /bin/sh -c npm ci`), and credentials typed into
 * commands. The history ships with the image (`docker history --no-trunc`) even when a later step unsets
 * the variable or deletes the file. One finding per subject (`history: ARG NPM_TOKEN`), wherever and
 * however often it appears; an `ENV` the final config still holds with the same value is left to
 * csg/secret-in-env, so one leak is not reported twice.
 */
import { severityRank } from '../../findings/severity.js'
import { excerpt, layersByHistoryIndex, type CheckFinding, type ImageCheck } from './check.js'
import { maskHistoryLine, secretsInHistoryLine } from './history-secrets.js'
import { ASSIGNED_SECRET_CHECK } from './secret-in-env.js'
import { unquote } from './secret-values.js'

export const secretInHistoryCheck: ImageCheck = {
  id: 'csg/secret-in-history',
  title: 'Secret in the image history',
  ...ASSIGNED_SECRET_CHECK,
  help: {
    text:
      'A secret appears in the image history: an ARG or ENV value, a build argument recorded with a RUN ' +
      'step, or a credential typed into a command. The history ships with the image (docker history ' +
      '--no-trunc) even if a later step removes the variable or file. Revoke the secret and pass it with ' +
      'RUN --mount=type=secret instead. CIS Docker Benchmark 4.10.',
    markdown: [
      '**Why it matters.** Every `ARG` value in scope is recorded with each `RUN` step, and every `ENV`, ' +
        '`ARG` and command line is kept in the image history. Anyone who can pull the image reads it with ' +
        '`docker history --no-trunc`, even when a later step unsets the variable. Treat the secret as leaked: ' +
        '**revoke or rotate it**.',
      '',
      '**How to fix.** Pass build-time secrets as build secrets, which are mounted for one step and never ' +
        'recorded:',
      '',
      '```dockerfile',
      '# before',
      'ARG NPM_TOKEN',
      'RUN echo "//registry.npmjs.org/:_authToken=${NPM_TOKEN}" > .npmrc && npm ci',
      '# after (docker build --secret id=npm_token,env=NPM_TOKEN .)',
      'RUN --mount=type=secret,id=npm_token,env=NPM_TOKEN \\',
      '    echo "//registry.npmjs.org/:_authToken=${NPM_TOKEN}" > .npmrc && npm ci && rm .npmrc',
      '```',
      '',
      'The same goes for `curl -u user:pass`, `--password …` and `https://user:pass@host` in a `RUN` line.',
      '',
      '**CIS Docker Benchmark** 4.10 — Ensure secrets are not stored in Dockerfiles.',
    ].join('\n'),
  },
  evaluate(ctx) {
    const finalEnv = new Set(ctx.image.config.env)
    const layers = layersByHistoryIndex(ctx.image)
    const findings = new Map<string, CheckFinding>()
    ctx.image.history.forEach((entry, index) => {
      const secrets = secretsInHistoryLine(entry.createdBy)
      if (secrets.length === 0) return
      const maskedLine = maskHistoryLine(entry.createdBy)
      const layer = layers.get(index)
      for (const secret of secrets) {
        // Still in the final config with the same value: csg/secret-in-env reports it with its ENV line.
        const pair = secret.envPair
        if (
          pair !== undefined &&
          (finalEnv.has(`${pair.name}=${pair.value}`) || finalEnv.has(`${pair.name}=${unquote(pair.value)}`))
        ) {
          continue
        }
        const candidate: CheckFinding = {
          title: `${secret.title} in the image history (${secret.subject.replace(/^history: /, '')})`,
          description:
            `The image history holds a secret (${secret.title}) in a \`created_by\` line. Anyone who can pull ` +
            'the image can read it with docker history --no-trunc: revoke it and use a build secret instead.',
          severity: secret.severity,
          subject: secret.subject,
          evidence: excerpt(maskedLine),
          ...(secret.instruction !== undefined ? { instruction: secret.instruction } : {}),
          ...(layer !== undefined ? { layer: { diffId: layer.diffId, createdBy: maskedLine } } : {}),
          secretValues: [...secret.values],
        }
        // The same subject again (an ARG recorded with every RUN): one finding, the most severe occurrence.
        const existing = findings.get(secret.subject)
        if (existing !== undefined) {
          const values = [...(existing.secretValues ?? []), ...secret.values]
          const keep =
            severityRank(existing.severity) >= severityRank(candidate.severity) ? existing : candidate
          findings.set(secret.subject, { ...keep, secretValues: values })
        } else {
          findings.set(secret.subject, candidate)
        }
      }
    })
    return [...findings.values()]
  },
}
