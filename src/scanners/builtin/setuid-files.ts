/**
 * csg/setuid-files — executables with the setuid or setgid bit in the final filesystem: each one runs with
 * its owner's (usually root's) privileges whoever starts it, so a bug in any of them is a privilege
 * escalation inside the container.
 *
 * ONE finding for the image, listing the files, rather than one per file: a stock Debian or Ubuntu base
 * image already carries about ten (su, passwd, mount, umount, chsh, chfn, newgrp, gpasswd, …). One alert
 * per file would put the same ten low alerts on every image in the organisation and bury everything else;
 * one alert per image says "strip these" once, stays open while any remain, and closes when none are left.
 * The subject is constant, so the alert keeps its identity while the list changes.
 */
import { maxOf } from '../../util/arrays.js'
import { absolutePath, layerRef, type ImageCheck } from './check.js'

/** How many paths the description lists; the count is always complete. */
export const MAX_LISTED_FILES = 25

/** Setuid with any execute bit, or setgid with group execute (setgid without it means mandatory locking). */
export function isPrivilegedExecutable(mode: number): boolean {
  const setuid = (mode & 0o4000) !== 0 && (mode & 0o111) !== 0
  const setgid = (mode & 0o2000) !== 0 && (mode & 0o010) !== 0
  return setuid || setgid
}

function describeBits(mode: number): string {
  const bits: string[] = []
  if ((mode & 0o4000) !== 0 && (mode & 0o111) !== 0) bits.push('setuid')
  if ((mode & 0o2000) !== 0 && (mode & 0o010) !== 0) bits.push('setgid')
  return bits.join('+')
}

export const setuidFilesCheck: ImageCheck = {
  id: 'csg/setuid-files',
  title: 'Setuid/setgid executables',
  kind: 'misconfiguration',
  severity: 'low',
  references: [
    'https://www.cisecurity.org/benchmark/docker',
    'https://docs.docker.com/engine/security/#linux-kernel-capabilities',
  ],
  help: {
    text:
      "The image contains executables with the setuid or setgid bit. Each runs with its owner's privileges " +
      '(usually root) whoever starts it, so any bug in one of them is a privilege escalation. Remove the bits ' +
      'from binaries the application does not need (RUN find / -xdev -perm /6000 -type f -exec chmod a-s {} +), ' +
      'and run with no-new-privileges. CIS Docker Benchmark 4.8.',
    markdown: [
      '**Why it matters.** A setuid/setgid executable runs with the privileges of its owner — almost always ' +
        'root — whoever starts it. An application container rarely needs `su`, `passwd` or `mount`; each one ' +
        'left in is a ready privilege escalation for an attacker who gets code execution as your unprivileged user.',
      '',
      '**How to fix.** Strip the bits in the final stage (after installing packages):',
      '',
      '```dockerfile',
      'RUN find / -xdev -perm /6000 -type f -exec chmod a-s {} + || true',
      '```',
      '',
      'and run containers with `--security-opt no-new-privileges` (Kubernetes: ' +
        '`allowPrivilegeEscalation: false`), which makes the bits ineffective. Distroless and scratch-based ' +
        'images avoid the question entirely.',
      '',
      'Reported as one finding per image listing the files (a Debian base alone has about ten), so the alert ' +
        'says it once and closes when none are left.',
      '',
      '**CIS Docker Benchmark** 4.8 — Ensure setuid and setgid permissions are removed.',
    ].join('\n'),
  },
  selects: (header) =>
    (header.type === 'file' || header.type === 'hardlink') && isPrivilegedExecutable(header.mode),
  evaluate(ctx) {
    const files = [...ctx.files.entries()]
      .filter(([, file]) => isPrivilegedExecutable(file.entry.mode))
      .map(([path, file]) => ({
        path: absolutePath(path),
        bits: describeBits(file.entry.mode),
        layerIndex: file.layerIndex,
      }))
      .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    if (files.length === 0) return []
    const listed = files.slice(0, MAX_LISTED_FILES).map((f) => `${f.path} (${f.bits})`)
    const more = files.length - listed.length
    const noun = files.length === 1 ? 'executable' : 'executables'
    // The newest layer that left one: the base image's (then the finding lands on FROM) unless the
    // Dockerfile's own instructions added some, where stripping them is up to this Dockerfile.
    const layer = layerRef(ctx.image, maxOf(files.map((f) => f.layerIndex)) ?? 0)
    return [
      {
        title: `${files.length} setuid/setgid ${noun} in the image`,
        description:
          `The final filesystem has ${files.length} setuid/setgid ${noun}: ${listed.join(', ')}` +
          (more > 0 ? `, and ${more} more.` : '.') +
          ' Remove the bits from those the application does not need.',
        severity: 'low',
        subject: 'setuid/setgid executables',
        ...(layer ? { layer } : {}),
      },
    ]
  },
}
