/**
 * The two images the demo and the end-to-end tests scan: one with every problem the builtin checks look
 * for planted in it, and a clean one. Deterministic; secrets are built at run time (planted-secrets.ts).
 */
import type { ImageSpec } from './image-builder.js'
import { planted, privateKeyBlock } from './planted-secrets.js'

const BUSYBOX = '/bin/sh -c #(nop) ADD file:1b5c9b3f3d2a in / '

/** What `plantedImage` plants, for the tests to check one by one. */
export const PLANTED_PROBLEMS = [
  { ruleId: 'csg/root-user', kind: 'misconfiguration', minSeverity: 'high' },
  { ruleId: 'csg/no-healthcheck', kind: 'misconfiguration', minSeverity: 'low' },
  { ruleId: 'csg/risky-port', kind: 'misconfiguration', minSeverity: 'medium', subject: '22/tcp' },
  { ruleId: 'csg/risky-port', kind: 'misconfiguration', minSeverity: 'medium', subject: '2375/tcp' },
  { ruleId: 'csg/secret-in-env', kind: 'secret', minSeverity: 'critical', subject: 'ENV AWS_ACCESS_KEY_ID' },
  { ruleId: 'csg/secret-in-env', kind: 'secret', minSeverity: 'high', subject: 'ENV DB_PASSWORD' },
  { ruleId: 'csg/secret-in-history', kind: 'secret', minSeverity: 'critical' },
  { ruleId: 'csg/secret-file', kind: 'secret', minSeverity: 'critical', subject: '/root/.ssh/id_rsa' },
  { ruleId: 'csg/secret-file', kind: 'secret', minSeverity: 'high', subject: '/app/.npmrc' },
  { ruleId: 'csg/setuid-files', kind: 'misconfiguration', minSeverity: 'low' },
  { ruleId: 'csg/remote-add', kind: 'misconfiguration', minSeverity: 'medium' },
] as const

/** The Dockerfile `plantedImage` pretends to come from (its history lines match these instructions). */
export const PLANTED_DOCKERFILE = `FROM busybox:1.36
ENV AWS_ACCESS_KEY_ID=${planted.awsAccessKeyId}
ENV DB_PASSWORD=${planted.password}
ARG NPM_TOKEN
RUN echo "//registry.npmjs.org/:_authToken=$NPM_TOKEN" > /app/.npmrc
COPY id_rsa /root/.ssh/id_rsa
ADD https://example.com/tools/tool.tar.gz /opt/tool.tar.gz
RUN rm /tmp/build-key
EXPOSE 22 2375 8080
CMD ["/app/server"]
`

export function plantedImage(): ImageSpec {
  return {
    config: {
      Env: [
        'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
        `AWS_ACCESS_KEY_ID=${planted.awsAccessKeyId}`,
        `DB_PASSWORD=${planted.password}`,
      ],
      ExposedPorts: ['22/tcp', '2375/tcp', '8080/tcp'],
      Cmd: ['/app/server'],
      WorkingDir: '/app',
    },
    steps: [
      {
        createdBy: BUSYBOX,
        entries: [
          { path: 'bin/', type: 'dir' },
          { path: 'bin/busybox', content: '#!/bin/sh\n', mode: 0o755 },
          { path: 'bin/su', content: 'su', mode: 0o4755 },
          { path: 'usr/bin/passwd', content: 'passwd', mode: 0o4755 },
          { path: 'tmp/', type: 'dir' },
          { path: 'tmp/build-key', content: privateKeyBlock() },
        ],
      },
      { createdBy: '/bin/sh -c #(nop)  CMD ["sh"]' },
      { createdBy: `ENV AWS_ACCESS_KEY_ID=${planted.awsAccessKeyId}` },
      { createdBy: `ENV DB_PASSWORD=${planted.password}` },
      { createdBy: 'ARG NPM_TOKEN' },
      {
        createdBy: `RUN |1 NPM_TOKEN=${planted.npmToken} /bin/sh -c echo "//registry.npmjs.org/:_authToken=$NPM_TOKEN" > /app/.npmrc # buildkit`,
        entries: [
          { path: 'app/', type: 'dir' },
          { path: 'app/.npmrc', content: `//registry.npmjs.org/:_authToken=${planted.npmToken}\n` },
        ],
      },
      {
        createdBy: 'COPY id_rsa /root/.ssh/id_rsa # buildkit',
        entries: [{ path: 'root/.ssh/id_rsa', content: privateKeyBlock(), mode: 0o600 }],
      },
      {
        createdBy: 'ADD https://example.com/tools/tool.tar.gz /opt/tool.tar.gz # buildkit',
        entries: [{ path: 'opt/tool.tar.gz', content: 'not really a tarball' }],
      },
      // The key is deleted in a later layer: a whiteout, so it is not in the final filesystem.
      {
        createdBy: 'RUN /bin/sh -c rm /tmp/build-key # buildkit',
        entries: [{ path: 'tmp/.wh.build-key', content: '' }],
      },
      { createdBy: 'EXPOSE map[22/tcp:{} 2375/tcp:{} 8080/tcp:{}]' },
      { createdBy: 'CMD ["/app/server"]' },
    ],
  }
}

export const CLEAN_DOCKERFILE = `FROM busybox:1.36
RUN adduser -D -u 10001 app
COPY server /app/server
USER app
EXPOSE 8080
HEALTHCHECK --interval=30s CMD wget -qO- http://localhost:8080/health || exit 1
CMD ["/app/server"]
`

export function cleanImage(): ImageSpec {
  return {
    config: {
      User: 'app',
      ExposedPorts: ['8080/tcp'],
      Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
      Healthcheck: {
        Test: ['CMD-SHELL', 'wget -qO- http://localhost:8080/health || exit 1'],
        Interval: 30_000_000_000,
      },
      Cmd: ['/app/server'],
    },
    steps: [
      {
        createdBy: BUSYBOX,
        entries: [
          { path: 'bin/', type: 'dir' },
          { path: 'bin/busybox', content: '#!/bin/sh\n', mode: 0o755 },
          { path: 'etc/', type: 'dir' },
          {
            path: 'etc/passwd',
            content: 'root:x:0:0:root:/root:/bin/sh\napp:x:10001:10001::/home/app:/bin/sh\n',
          },
        ],
      },
      { createdBy: '/bin/sh -c #(nop)  CMD ["sh"]' },
      {
        createdBy: 'RUN /bin/sh -c adduser -D -u 10001 app # buildkit',
        entries: [{ path: 'home/app/', type: 'dir', uid: 10001, gid: 10001 }],
      },
      {
        createdBy: 'COPY server /app/server # buildkit',
        entries: [
          { path: 'app/server', content: '#!/bin/sh\necho ok\n', mode: 0o755, uid: 10001, gid: 10001 },
        ],
      },
      { createdBy: 'USER app' },
      { createdBy: 'EXPOSE map[8080/tcp:{}]' },
      {
        createdBy:
          'HEALTHCHECK &{["CMD-SHELL" "wget -qO- http://localhost:8080/health || exit 1"] "30s" "0s" "0s" "0s" \'\\x00\'}',
      },
      { createdBy: 'CMD ["/app/server"]' },
    ],
  }
}
