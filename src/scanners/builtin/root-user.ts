/**
 * csg/root-user — the image runs as root: no `USER`, or `USER root` / `0` / `0:<group>` / a name whose
 * `/etc/passwd` entry has UID 0. The group does not matter: `app:root` runs as a non-root user (root group
 * membership gives file access, not privileges), so it is not reported.
 */
import type { ImageCheck } from './check.js'

const PASSWD = 'etc/passwd'

/** `root` → 0 from `/etc/passwd` content (`name:x:uid:gid:…`), for names that alias UID 0 (`toor`). */
function uidsByName(passwd: string): Map<string, number> {
  const uids = new Map<string, number>()
  for (const line of passwd.split('\n')) {
    const fields = line.split(':')
    const name = fields[0]
    const uid = fields[2]
    if (name === undefined || uid === undefined || !/^\d+$/.test(uid.trim())) continue
    if (!uids.has(name)) uids.set(name, Number(uid.trim()))
  }
  return uids
}

export interface EffectiveUser {
  /** The user part as written (`app`, `1000`, `root`), `''` when no USER is set. */
  user: string
  isRoot: boolean
  /** Why it is root, as a sentence for the description. */
  reason?: string
}

export function effectiveUser(configUser: string | undefined, passwd?: string): EffectiveUser {
  const spec = (configUser ?? '').trim()
  const user = spec.split(':')[0]?.trim() ?? ''
  if (user === '')
    return { user: '', isRoot: true, reason: 'No USER is set, so the container runs as root (UID 0).' }
  if (/^\d+$/.test(user)) {
    return Number(user) === 0
      ? { user, isRoot: true, reason: `USER ${spec} runs as UID 0 (root).` }
      : { user, isRoot: false }
  }
  if (user === 'root') return { user, isRoot: true, reason: `USER ${spec} runs as root (UID 0).` }
  const uid = passwd === undefined ? undefined : uidsByName(passwd).get(user)
  if (uid === 0)
    return { user, isRoot: true, reason: `USER ${spec} has UID 0 in /etc/passwd, so it is root.` }
  return { user, isRoot: false }
}

export const rootUserCheck: ImageCheck = {
  id: 'csg/root-user',
  title: 'Image runs as root',
  kind: 'misconfiguration',
  severity: 'high',
  references: [
    'https://docs.docker.com/reference/dockerfile/#user',
    'https://www.cisecurity.org/benchmark/docker',
  ],
  help: {
    text:
      'The container process runs as root (UID 0). A compromise of the application then gives root in the ' +
      'container, and one kernel or runtime escape away from root on the host. Create an unprivileged user ' +
      'and switch to it with USER as the last user change of the final stage. CIS Docker Benchmark 4.1.',
    markdown: [
      '**Why it matters.** A process running as root inside a container is root in the container: any code ' +
        'execution bug gives full control of its files, and a kernel or runtime escape lands as root on the ' +
        'host. Kubernetes `runAsNonRoot` refuses such images.',
      '',
      '**How to fix.** Create an unprivileged user and switch to it in the final stage:',
      '',
      '```dockerfile',
      'RUN groupadd --system app && useradd --system --gid app --no-create-home app',
      'USER app',
      '# or numerically, which also satisfies runAsNonRoot checks:',
      'USER 10001:10001',
      '```',
      '',
      'A non-root user in the root group (`USER app:root`, `USER 1000:0`) is not reported.',
      '',
      '**CIS Docker Benchmark** 4.1 — Ensure that a user for the container has been created.',
    ].join('\n'),
  },
  selects: (header) => header.path === PASSWD && header.type === 'file',
  wantsContent: (header) => header.path === PASSWD,
  evaluate(ctx) {
    const passwd = ctx.files.get(PASSWD)?.entry.content?.toString('utf8')
    const result = effectiveUser(ctx.image.config.user, passwd)
    if (!result.isRoot) return []
    const userSet = result.user !== ''
    return [
      {
        title: userSet ? `Image runs as root (USER ${result.user})` : 'Image runs as root (no USER)',
        description:
          `${result.reason ?? 'The container runs as root.'} ` +
          'Switch to an unprivileged user with USER in the final stage.',
        severity: 'high',
        instruction: userSet ? { keyword: 'USER', argument: result.user } : { keyword: 'FROM' },
      },
    ]
  },
}
