/**
 * csg/no-healthcheck — the image defines no HEALTHCHECK, or disables the base image's with
 * `HEALTHCHECK NONE`. Low: orchestrators such as Kubernetes ignore it and use their own probes, but plain
 * Docker, Compose and Swarm rely on it to notice a hung process.
 */
import type { ImageCheck } from './check.js'

export function hasHealthcheck(test: readonly string[] | undefined): boolean {
  if (test === undefined || test.length === 0) return false
  const kind = test[0]?.toUpperCase()
  // `["NONE"]` disables it; an empty command (`["CMD"]`, `["CMD-SHELL", ""]`) checks nothing.
  if (kind === 'NONE') return false
  return test.slice(1).some((part) => part.trim() !== '')
}

export const noHealthcheckCheck: ImageCheck = {
  id: 'csg/no-healthcheck',
  title: 'Image has no HEALTHCHECK',
  kind: 'misconfiguration',
  severity: 'low',
  references: [
    'https://docs.docker.com/reference/dockerfile/#healthcheck',
    'https://www.cisecurity.org/benchmark/docker',
  ],
  help: {
    text:
      'The image defines no HEALTHCHECK (or disables it with HEALTHCHECK NONE), so Docker cannot tell a ' +
      'running but hung or broken container from a healthy one. Add a HEALTHCHECK that exercises the ' +
      'service. Kubernetes ignores it (use liveness/readiness probes there). CIS Docker Benchmark 4.6.',
    markdown: [
      '**Why it matters.** Without a health check Docker, Compose and Swarm only know whether the process ' +
        'exists, not whether it works: a deadlocked service keeps receiving traffic and is never restarted.',
      '',
      '**How to fix.** Add a check that exercises the service, with a tool the image actually contains:',
      '',
      '```dockerfile',
      'HEALTHCHECK --interval=30s --timeout=3s --retries=3 \\',
      '  CMD wget -qO- http://127.0.0.1:8080/healthz || exit 1',
      '```',
      '',
      'Kubernetes ignores HEALTHCHECK; there, define liveness and readiness probes and suppress this rule.',
      '',
      '**CIS Docker Benchmark** 4.6 — Ensure that HEALTHCHECK instructions have been added to container images.',
    ].join('\n'),
  },
  evaluate(ctx) {
    const healthcheck = ctx.image.config.healthcheck
    if (hasHealthcheck(healthcheck?.test)) return []
    const disabled = healthcheck?.test[0]?.toUpperCase() === 'NONE'
    return [
      {
        title: disabled ? 'HEALTHCHECK is disabled (HEALTHCHECK NONE)' : 'Image has no HEALTHCHECK',
        description: disabled
          ? 'The image disables health checking with HEALTHCHECK NONE, so a hung container is never noticed.'
          : 'The image defines no HEALTHCHECK, so a hung container is never noticed by Docker.',
        severity: 'low',
        // A HEALTHCHECK that disables or empties the check is the instruction to fix (this Dockerfile's, or
        // the base image's, then the final FROM: attribution reads which from the history); none at all is
        // the base image's lack (FROM).
        instruction: {
          keyword: healthcheck?.test !== undefined && healthcheck.test.length > 0 ? 'HEALTHCHECK' : 'FROM',
        },
      },
    ]
  },
}
