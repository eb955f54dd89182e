/**
 * csg/risky-port — the image EXPOSEs a port of a remote-administration or cleartext protocol, or of a data
 * store that listens without authentication by default. One finding per port, so each can be fixed or
 * suppressed on its own.
 *
 * The list, and why each is here:
 * - 21 FTP, 23 Telnet: cleartext credentials. 22 SSH: a container is not a VM; `docker exec` replaces sshd,
 *   and an sshd in an image usually ships host keys and shared credentials.
 * - 2375/2376 Docker Engine API: full control of the host's Docker, i.e. root on the host.
 * - 3389 RDP, 5900 VNC: remote desktops, routinely brute-forced.
 * - 135 MS-RPC, 139 NetBIOS, 445 SMB: Windows file-sharing/RPC, the classic worm vectors.
 * - 6379 Redis, 9200 Elasticsearch, 11211 Memcached, 27017 MongoDB: data stores that answer without
 *   authentication in their default configuration; they belong on a private network, not EXPOSEd by the app.
 * Databases that require authentication by default (PostgreSQL, MySQL) are not listed.
 */
import type { CheckFinding, ImageCheck } from './check.js'

export interface RiskyPort {
  port: number
  protocols: readonly ('tcp' | 'udp')[]
  service: string
  why: string
}

export const RISKY_PORTS: readonly RiskyPort[] = [
  { port: 21, protocols: ['tcp'], service: 'FTP', why: 'sends credentials and data in cleartext' },
  { port: 22, protocols: ['tcp'], service: 'SSH', why: 'runs a remote login service inside the container' },
  { port: 23, protocols: ['tcp'], service: 'Telnet', why: 'sends credentials in cleartext' },
  { port: 135, protocols: ['tcp', 'udp'], service: 'MS-RPC', why: 'exposes Windows RPC' },
  { port: 139, protocols: ['tcp'], service: 'NetBIOS session', why: 'exposes Windows file sharing' },
  { port: 445, protocols: ['tcp'], service: 'SMB', why: 'exposes Windows file sharing' },
  {
    port: 2375,
    protocols: ['tcp'],
    service: 'Docker API (plain)',
    why: 'gives unauthenticated control of Docker',
  },
  {
    port: 2376,
    protocols: ['tcp'],
    service: 'Docker API (TLS)',
    why: 'gives control of Docker to any client with a certificate',
  },
  { port: 3389, protocols: ['tcp', 'udp'], service: 'RDP', why: 'exposes a remote desktop' },
  { port: 5900, protocols: ['tcp'], service: 'VNC', why: 'exposes a remote desktop' },
  { port: 6379, protocols: ['tcp'], service: 'Redis', why: 'answers without authentication by default' },
  { port: 9200, protocols: ['tcp'], service: 'Elasticsearch', why: 'may answer without authentication' },
  {
    port: 11211,
    protocols: ['tcp', 'udp'],
    service: 'Memcached',
    why: 'answers without authentication and amplifies UDP floods',
  },
  { port: 27017, protocols: ['tcp'], service: 'MongoDB', why: 'may answer without authentication' },
]

/** A range the image could declare (`8000-8010/tcp`) is expanded at most this far. */
const MAX_RANGE = 65535

interface ExposedPort {
  from: number
  to: number
  protocol: string
}

/** `"22/tcp"`, `"53/udp"`, `"22"` (tcp), `"8000-8010/tcp"`; undefined for anything unreadable. */
export function parseExposedPort(spec: string): ExposedPort | undefined {
  const match = /^\s*(\d{1,5})(?:-(\d{1,5}))?(?:\/([A-Za-z]+))?\s*$/.exec(spec)
  if (match === null) return undefined
  const from = Number(match[1])
  const to = match[2] === undefined ? from : Number(match[2])
  if (from > MAX_RANGE || to > MAX_RANGE || to < from) return undefined
  return { from, to, protocol: (match[3] ?? 'tcp').toLowerCase() }
}

export const riskyPortCheck: ImageCheck = {
  id: 'csg/risky-port',
  title: 'Image exposes a risky port',
  kind: 'misconfiguration',
  severity: 'medium',
  references: [
    'https://docs.docker.com/reference/dockerfile/#expose',
    'https://www.cisecurity.org/benchmark/docker',
  ],
  help: {
    text:
      'The image EXPOSEs a port of a remote-administration or cleartext protocol (SSH, Telnet, FTP, RDP, ' +
      'VNC, SMB, the Docker API) or of a data store that accepts unauthenticated clients by default. ' +
      'Remove the EXPOSE and the service, or keep the port on a private network. CIS Docker Benchmark 5.8.',
    markdown: [
      '**Why it matters.** Every exposed port is attack surface. These ones are remote-administration or ' +
        'cleartext protocols (SSH, Telnet, FTP, RDP, VNC, SMB/RPC, the Docker Engine API — which is root on ' +
        'the host) or data stores that accept clients without authentication by default (Redis, Memcached, ' +
        'Elasticsearch, MongoDB).',
      '',
      '**How to fix.** Do not run remote-access daemons in an application image (use `docker exec` / ' +
        '`kubectl exec`), and remove the EXPOSE:',
      '',
      '```dockerfile',
      '# before',
      'EXPOSE 22 8080',
      '# after: only the application port',
      'EXPOSE 8080',
      '```',
      '',
      'If the image *is* such a service (a Redis image), require authentication and keep it off public ' +
        'networks, then suppress this finding for that image.',
      '',
      '**CIS Docker Benchmark** 5.8 (container runtime) — Ensure that only needed ports are open on the container.',
    ].join('\n'),
  },
  evaluate(ctx) {
    const findings = new Map<string, CheckFinding>()
    for (const spec of ctx.image.config.exposedPorts) {
      const exposed = parseExposedPort(spec)
      if (exposed === undefined) continue
      for (const risky of RISKY_PORTS) {
        const protocol = exposed.protocol
        if (risky.port < exposed.from || risky.port > exposed.to) continue
        if (!risky.protocols.some((p) => p === protocol)) continue
        const subject = `${risky.port}/${protocol}`
        if (findings.has(subject)) continue
        findings.set(subject, {
          title: `Risky port ${subject} (${risky.service}) is exposed`,
          description: `The image exposes ${subject}, the ${risky.service} port, which ${risky.why}.`,
          severity: 'medium',
          subject,
          instruction: { keyword: 'EXPOSE', argument: String(risky.port) },
        })
      }
    }
    return [...findings.values()]
  },
}
