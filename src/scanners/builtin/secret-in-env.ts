/**
 * csg/secret-in-env — a secret in the image's environment (`ENV`), readable by anyone who can pull the
 * image (`docker inspect`) and by every process in the container. One finding per variable: critical for
 * a known token format, high for a literal value under a secret name (`DB_PASSWORD=…`) or a URL password.
 */
import { maskSecret } from '../../util/mask.js'
import type { CheckFinding, ImageCheck } from './check.js'
import { classifyAssignment } from './secret-values.js'

/** `NAME=value` → its parts; an entry without `=` has no value. */
export function splitEnvEntry(entry: string): { name: string; value?: string } {
  const eq = entry.indexOf('=')
  return eq === -1 ? { name: entry } : { name: entry.slice(0, eq), value: entry.slice(eq + 1) }
}

/** What this check and csg/secret-in-history share: a secret given as an ENV or ARG value. */
export const ASSIGNED_SECRET_CHECK: Pick<ImageCheck, 'kind' | 'severity' | 'references'> = {
  kind: 'secret',
  severity: 'critical',
  references: [
    'https://docs.docker.com/build/building/secrets/',
    'https://docs.docker.com/reference/build-checks/secrets-used-in-arg-or-env/',
    'https://www.cisecurity.org/benchmark/docker',
  ],
}

export const secretInEnvCheck: ImageCheck = {
  id: 'csg/secret-in-env',
  title: 'Secret in an ENV variable',
  ...ASSIGNED_SECRET_CHECK,
  help: {
    text:
      'A secret is set with ENV, so it is stored in the image config: anyone who can pull the image can read ' +
      'it with docker inspect, and it stays in every copy of the image. Revoke the secret, remove the ENV, and ' +
      'pass secrets at run time (orchestrator secrets, mounted files) or at build time with ' +
      'RUN --mount=type=secret. CIS Docker Benchmark 4.10.',
    markdown: [
      '**Why it matters.** `ENV` values are part of the image configuration. Anyone who can pull the image ' +
        'reads them with `docker inspect`; they are in every registry, cache and copy of it, forever. Treat the ' +
        'secret as leaked: **revoke or rotate it**.',
      '',
      '**How to fix.** Do not bake secrets into the image; give them to the container when it runs:',
      '',
      '```dockerfile',
      '# before',
      'ENV DB_PASSWORD=s3cr3t',
      '# after: nothing in the image; the runtime provides it',
      '#   docker run -e DB_PASSWORD ...   or a Kubernetes Secret / a mounted file (DB_PASSWORD_FILE=/run/secrets/db)',
      '```',
      '',
      'If the build itself needs it, use a build secret, which never lands in a layer or the config:',
      '',
      '```dockerfile',
      'RUN --mount=type=secret,id=npm_token,env=NPM_TOKEN npm ci',
      '```',
      '',
      'Not reported: empty values, `$VAR` references, `*_FILE` names, booleans, small numbers, and obvious ' +
        'placeholders such as `changeme`.',
      '',
      '**CIS Docker Benchmark** 4.10 — Ensure secrets are not stored in Dockerfiles.',
    ].join('\n'),
  },
  evaluate(ctx) {
    const findings = new Map<string, CheckFinding>()
    for (const entry of ctx.image.config.env) {
      const { name, value } = splitEnvEntry(entry)
      if (value === undefined || name === '') continue
      const match = classifyAssignment(name, value)
      if (match === undefined) continue
      const subject = `ENV ${name}`
      // Docker keeps the last of duplicate names; so does this (one finding per variable).
      findings.set(subject, {
        title: `${match.title} in ENV ${name}`,
        description:
          `ENV ${name} holds a secret (${match.title}). It is stored in the image config and readable by ` +
          'anyone who can pull the image: revoke it, remove the ENV and pass the secret at run time.',
        severity: match.severity,
        subject,
        evidence: `ENV ${name}=${maskSecret(value)}`,
        instruction: { keyword: 'ENV', argument: name },
        secretValues: [value, match.value],
      })
    }
    return [...findings.values()]
  },
}
