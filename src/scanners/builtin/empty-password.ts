/**
 * csg/empty-password — an account with an empty password field in `/etc/shadow` (or in `/etc/passwd`, which
 * then needs no shadow entry): anyone can become that user without a password, e.g. with `su` from an
 * unprivileged process (PAM's `nullok` is the default on Debian and Alpine). The Alpine images of 2015–2019
 * shipped `root::` this way (CVE-2019-5021). `!`, `*` and `x` are locked or delegated, not empty. One
 * finding per account.
 */
import { absolutePath, layerRef, type CheckFinding, type ImageCheck } from './check.js'

const SHADOW = 'etc/shadow'
const PASSWD = 'etc/passwd'

/** Accounts whose second field is empty in a `name:password:…` file. */
export function accountsWithEmptyPassword(content: string): string[] {
  const accounts: string[] = []
  for (const line of content.split('\n')) {
    const fields = line.replace(/\r$/, '').split(':')
    const name = fields[0]?.trim() ?? ''
    if (name === '' || name.startsWith('#') || fields.length < 2) continue
    if (fields[1] === '') accounts.push(name)
  }
  return accounts
}

export const emptyPasswordCheck: ImageCheck = {
  id: 'csg/empty-password',
  title: 'Account with an empty password',
  kind: 'misconfiguration',
  severity: 'high',
  references: [
    'https://nvd.nist.gov/vuln/detail/CVE-2019-5021',
    'https://man7.org/linux/man-pages/man5/shadow.5.html',
  ],
  help: {
    text:
      'An account in /etc/shadow (or /etc/passwd) has an empty password field, so anyone can log in or su to ' +
      'it without a password; for root that is a local privilege escalation (CVE-2019-5021 in old Alpine ' +
      'images). Lock the account: RUN passwd -l <user> (or usermod -p "!" <user>).',
    markdown: [
      '**Why it matters.** An empty password field means "no password": with PAM `nullok` (the default in ' +
        'Debian and Alpine) any local process can `su` to that account without a password. For `root` this ' +
        'is a privilege escalation for anyone who gets code execution as an unprivileged user — the Alpine ' +
        'Docker images shipped exactly this in 2015–2019 (CVE-2019-5021).',
      '',
      '**How to fix.** Lock the account (a `!` or `*` password field), in the final stage:',
      '',
      '```dockerfile',
      'RUN passwd -l root',
      '# or, without passwd(1):',
      "RUN sed -i -e 's/^root::/root:!:/' /etc/shadow",
      '```',
      '',
      'and update an old base image.',
    ].join('\n'),
  },
  selects: (header) => (header.path === SHADOW || header.path === PASSWD) && header.type === 'file',
  wantsContent: (header) => header.path === SHADOW || header.path === PASSWD,
  evaluate(ctx) {
    const findings = new Map<string, CheckFinding>()
    // Shadow first: when an account is empty in both, the finding names the file that decides.
    for (const path of [SHADOW, PASSWD]) {
      const file = ctx.files.get(path)
      const content = file?.entry.content?.toString('utf8')
      if (file === undefined || content === undefined) continue
      const layer = layerRef(ctx.image, file.layerIndex)
      for (const account of accountsWithEmptyPassword(content)) {
        if (findings.has(account)) continue
        findings.set(account, {
          title: `Account ${account} has an empty password`,
          description:
            `${absolutePath(path)} gives the account ${account} an empty password field: anyone can su to it ` +
            'without a password. Lock it with passwd -l.',
          severity: 'high',
          subject: `${absolutePath(path)}: ${account}`,
          ...(layer !== undefined ? { layer } : {}),
        })
      }
    }
    return [...findings.values()]
  },
}
