/**
 * csg/shared-private-key — private keys that a package generates or ships in every image built the same
 * way: the Debian/Ubuntu `ssl-cert-snakeoil.key`, SSH host keys made by `openssh-server`'s postinst at
 * build time. Not a leaked credential of the user's (so not `csg/secret-file`, critical), but every
 * container from the image shares them: anyone who pulls it can impersonate the server or read its TLS.
 */
import type { FinalFile } from '../../target/image-types.js'
import { absolutePath, layerRef, type CheckContext, type CheckFinding, type ImageCheck } from './check.js'
import { isWellKnownKeyPath } from './secret-file-rules.js'
import { knownSecretsIn } from './secret-values.js'
import { maskSecret } from '../../util/mask.js'

function evaluateFile(ctx: CheckContext, path: string, file: FinalFile): CheckFinding | undefined {
  const content = file.entry.content
  if (content === undefined) return undefined
  const keys = knownSecretsIn(content.toString('utf8')).filter((m) => m.id === 'private-key')
  const key = keys[0]
  if (key === undefined) return undefined
  const shownPath = absolutePath(path)
  const hostKey = path.startsWith('etc/ssh/')
  const finding: CheckFinding = {
    title: `${hostKey ? 'SSH host key' : 'Shared TLS key'} baked into the image: ${shownPath}`,
    description: hostKey
      ? `${shownPath} is an SSH host private key generated when the image was built: every container ` +
        'from this image has the same one, and anyone who can pull the image can impersonate its SSH server. ' +
        'Remove the host keys in the build (rm /etc/ssh/ssh_host_*) and generate them when the container ' +
        'starts (ssh-keygen -A), or mount them.'
      : `${shownPath} is the snakeoil key the ssl-cert package generates: it is shared by every container ` +
        'from this image and readable by anyone who can pull it. Do not serve TLS with it; mount a real ' +
        'key at runtime.',
    severity: 'medium',
    subject: shownPath,
    evidence: `Private key: ${maskSecret(key.value)}`,
    secretValues: [key.value],
  }
  const layer = layerRef(ctx.image, file.layerIndex)
  return layer === undefined ? finding : { ...finding, layer }
}

export const sharedPrivateKeyCheck: ImageCheck = {
  id: 'csg/shared-private-key',
  title: 'Package-generated private key in the image',
  kind: 'secret',
  severity: 'medium',
  references: [
    'https://docs.docker.com/build/building/secrets/',
    'https://wiki.debian.org/Self-Signed_Certificate',
  ],
  help: {
    text:
      'A private key that a package generates at build time (SSH host keys, the ssl-cert snakeoil key) is in ' +
      'the image: every container shares it and anyone who pulls the image can read it. Delete it in the ' +
      'same RUN that installed the package and generate keys at container start, or mount them.',
    markdown: [
      '**Why it matters.** Keys generated while the image is built are identical in every container started ' +
        'from it, and anyone who can pull the image has them: they authenticate nothing.',
      '',
      '**How to fix.** Remove them in the step that created them, and create or mount keys at runtime:',
      '',
      '```dockerfile',
      'RUN apt-get install -y openssh-server && rm -f /etc/ssh/ssh_host_*',
      '# entrypoint: ssh-keygen -A && exec /usr/sbin/sshd -D',
      '```',
    ].join('\n'),
  },
  selects: (header) => header.type === 'file' && isWellKnownKeyPath(header.path),
  wantsContent: (header) => isWellKnownKeyPath(header.path),
  evaluate(ctx) {
    const findings: CheckFinding[] = []
    for (const [path, file] of ctx.files) {
      const finding = evaluateFile(ctx, path, file)
      if (finding !== undefined) findings.push(finding)
    }
    return findings.sort((a, b) => ((a.subject ?? '') < (b.subject ?? '') ? -1 : 1))
  },
}
