/**
 * csg/remote-add — `ADD <url>` in the image history: a file fetched at build time with no integrity check,
 * so whoever controls the URL (or the network path to it) controls what lands in the image. Only visible
 * when the builder recorded the URL (BuildKit does: `ADD https://… /dst # buildkit`; the classic builder
 * writes `ADD file:<hash> in /dst` and hides it, so the final stage of the Dockerfile is read too when it
 * is known). An `ADD --checksum=…` is verified and not reported.
 */
import { parseHistoryLine } from '../../findings/history-line.js'
import { excerpt, layersByHistoryIndex, type CheckFinding, type ImageCheck } from './check.js'
import { maskHistoryLine } from './history-secrets.js'

const REMOTE_SOURCE = /(?:^|\s)((?:https?|ftp|git):\/\/\S+|git@[^\s:]+:\S+)/gi

/**
 * The URL without credentials, query string or fragment (which may carry tokens and change per build):
 * `https://user:pw@host/f.tgz?sig=x` → `https://host/f.tgz`.
 */
export function sanitizeUrl(raw: string): string {
  if (raw.startsWith('git@')) return raw.replace(/[?#].*$/, '')
  try {
    const url = new URL(raw)
    return `${url.protocol}//${url.host}${url.pathname}`
  } catch {
    return raw.replace(/[?#].*$/, '').replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@]*@/i, '$1')
  }
}

export const remoteAddCheck: ImageCheck = {
  id: 'csg/remote-add',
  title: 'ADD of a remote URL',
  kind: 'misconfiguration',
  severity: 'medium',
  references: [
    'https://docs.docker.com/reference/dockerfile/#add',
    'https://docs.docker.com/build/building/best-practices/#add-or-copy',
    'https://www.cisecurity.org/benchmark/docker',
  ],
  help: {
    text:
      'The image was built with ADD <url>: a file downloaded at build time without verifying its content, ' +
      'so a compromised or hijacked source changes the image silently. Download with a pinned checksum ' +
      '(ADD --checksum=sha256:…, or curl plus sha256sum -c) or COPY a vendored file. CIS Docker Benchmark 4.9.',
    markdown: [
      '**Why it matters.** `ADD https://…` fetches whatever the server returns at build time. Nothing checks ' +
        'that it is the file you reviewed: a compromised host, a moved tag or a proxy changes your image ' +
        'without any change to your Dockerfile.',
      '',
      '**How to fix.** Pin the content, or copy a file you vendor:',
      '',
      '```dockerfile',
      '# before',
      'ADD https://example.com/tool-1.2.3.tar.gz /tmp/',
      '# after: verified download',
      'ADD --checksum=sha256:<sha256 of the file> https://example.com/tool-1.2.3.tar.gz /tmp/',
      '# or',
      'RUN curl -fsSLo /tmp/tool.tgz https://example.com/tool-1.2.3.tar.gz \\',
      '    && echo "<sha256>  /tmp/tool.tgz" | sha256sum -c -',
      '# or, for local files, COPY instead of ADD',
      'COPY vendor/tool-1.2.3.tar.gz /tmp/',
      '```',
      '',
      'Only visible when the builder recorded the URL (BuildKit does; the classic builder does not).',
      '',
      '**CIS Docker Benchmark** 4.9 — Ensure that COPY is used instead of ADD in Dockerfiles.',
    ].join('\n'),
  },
  evaluate(ctx) {
    const layers = layersByHistoryIndex(ctx.image)
    const findings = new Map<string, CheckFinding>()
    ctx.image.history.forEach((entry, index) => {
      const parsed = parseHistoryLine(entry.createdBy)
      if (parsed.keyword !== 'ADD' || /(?:^|\s)--checksum=/.test(parsed.args)) return
      const maskedLine = maskHistoryLine(entry.createdBy)
      const layer = layers.get(index)
      for (const match of parsed.args.matchAll(REMOTE_SOURCE)) {
        const raw = match[1] ?? ''
        const url = sanitizeUrl(raw)
        if (findings.has(url)) continue
        findings.set(url, {
          title: `ADD of a remote URL: ${url}`,
          description:
            `The image was built with ADD ${url}, a download that nothing verifies. Pin its checksum ` +
            '(ADD --checksum=sha256:…) or download and verify it in a RUN step.',
          severity: 'medium',
          subject: url,
          evidence: excerpt(maskedLine),
          // The argument lets attribution find the line; only when the URL is written as shown.
          instruction: raw === url ? { keyword: 'ADD', argument: url } : { keyword: 'ADD' },
          ...(layer !== undefined ? { layer: { diffId: layer.diffId, createdBy: maskedLine } } : {}),
        })
      }
    })
    // Builders that record `ADD <hash> in /dst` hide the URL: the Dockerfile's final stage still shows it.
    const finalStage = ctx.dockerfile?.stages.at(-1)
    for (const instruction of finalStage?.instructions ?? []) {
      if (instruction.keyword !== 'ADD' || instruction.flags['checksum'] !== undefined) continue
      for (const word of instruction.arguments.slice(0, -1)) {
        if (!new RegExp(REMOTE_SOURCE.source, 'i').test(word)) continue
        const url = sanitizeUrl(word)
        if (findings.has(url)) continue
        findings.set(url, {
          title: `ADD of a remote URL: ${url}`,
          description:
            `The Dockerfile adds ${url} with ADD, a download that nothing verifies. Pin its checksum ` +
            '(ADD --checksum=sha256:…) or download and verify it in a RUN step.',
          severity: 'medium',
          subject: url,
          instruction: word === url ? { keyword: 'ADD', argument: url } : { keyword: 'ADD' },
        })
      }
    }
    return [...findings.values()]
  },
}
