/** What a code-scanning alert shows of its rule (issue #11): rule text never from one finding, stable names. */
import { describe, expect, it } from '@jest/globals'
import type { Severity } from '../../src/findings/severity.js'
import { buildRules, securitySeverity } from '../../src/report/sarif-rules.js'
import { toFinding } from '../../src/scanners/builtin/check.js'
import { secretFilesCheck } from '../../src/scanners/builtin/secret-files.js'
import { builtinFinding, secretFinding, vulnerability } from '../helpers/gate-result-fixtures.js'

const secretFile = (path: string, label: string) =>
  toFinding(secretFilesCheck, 'acme/app:1', {
    title: `${label} in the image: ${path}`,
    description: `${path} holds a secret (Private key). Anyone who can pull the image can read it.`,
    severity: 'critical',
    subject: path,
  })

describe('rules of per-file findings (csg/secret-file)', () => {
  it('describe the rule, naming no file, whichever files this image has', () => {
    const one = buildRules([secretFile('/root/.ssh/id_rsa', 'SSH private key')]).rules[0]!
    const two = buildRules([
      secretFile('/app/.npmrc', '.npmrc with a token'),
      secretFile('/root/.ssh/id_rsa', 'SSH private key'),
    ]).rules[0]!
    for (const rule of [one, two]) {
      expect(rule.id).toBe('csg/secret-file')
      expect(rule.name).toBe('CredentialFileInTheImage')
      expect(rule.shortDescription?.text).toBe('Credential file in the image')
      expect(rule.fullDescription?.text).toMatch(/^A file with credentials is in the image/)
      expect(JSON.stringify(rule)).not.toMatch(/\/root\/\.ssh\/id_rsa|\/app\/\.npmrc/)
    }
  })
})

describe('vulnerability rule names', () => {
  it('come from the id, not from the title a scanner gave', () => {
    const trivy = vulnerability({ title: 'openssl: X.400 address type confusion in X.509 GeneralName' })
    const grype = vulnerability({ title: 'CVE-2023-0286' })
    expect(buildRules([trivy]).rules[0]!.name).toBe('Cve20230286')
    expect(buildRules([grype]).rules[0]!.name).toBe('Cve20230286')
  })
})

describe('a vulnerability rule in full', () => {
  it('carries the most severe finding, every package, the aliases and the safe references', () => {
    const medium = vulnerability({ severity: 'medium', score: 5.9, detectedBy: ['grype'] })
    const high = vulnerability({
      severity: 'high',
      score: 7.4,
      detectedBy: ['trivy'],
      package: { name: 'libssl3', version: '3.0.7-r0', type: 'apk', purl: 'pkg:apk/alpine/libssl3@3.0.7-r0' },
      fix: { state: 'not-fixed', versions: [] },
      aliases: ['GHSA-x4qr-2fvf-3mr5', 'ALPINE-14520'],
      references: [
        'https://nvd.nist.gov/vuln/detail/CVE-2023-0286',
        'javascript:alert(1)',
        'https://security.alpinelinux.org/vuln/CVE-2023-0286',
      ],
    })
    expect(buildRules([medium, high]).rules).toEqual([
      {
        id: 'CVE-2023-0286',
        name: 'Cve20230286',
        shortDescription: { text: 'openssl: X.400 address type confusion in X.509 GeneralName' },
        fullDescription: {
          text: 'There is a type confusion vulnerability relating to X.400 address processing.',
        },
        help: {
          text:
            'CVE-2023-0286: openssl: X.400 address type confusion in X.509 GeneralName\n\nAffected packages:\n' +
            '- libssl3 3.0.7-r0 (apk), no fixed version known\n- libcrypto3 3.0.7-r0 (apk), fixed in 3.0.8-r0\n\n' +
            'CVSS score: 7.4\n\nAlso known as: GHSA-x4qr-2fvf-3mr5, ALPINE-14520\nReferences:\n' +
            '- https://nvd.nist.gov/vuln/detail/CVE-2023-0286\n- https://security.alpinelinux.org/vuln/CVE-2023-0286\n' +
            '- https://www.openssl.org/news/secadv/20230207.txt',
          markdown:
            '**CVE-2023-0286**: openssl: X.400 address type confusion in X.509 GeneralName\n\n' +
            'There is a type confusion vulnerability relating to X.400 address processing.\n\n' +
            '| Package | Installed version | Type | Fixed in |\n| --- | --- | --- | --- |\n' +
            '| libssl3 | 3.0.7-r0 | apk | no fixed version known |\n| libcrypto3 | 3.0.7-r0 | apk | 3.0.8-r0 |\n\n' +
            '**CVSS score:** 7.4\n\n**Also known as:** GHSA-x4qr-2fvf-3mr5, ALPINE-14520\n\n**References:**\n\n' +
            '- [https://nvd.nist.gov/vuln/detail/CVE-2023-0286](https://nvd.nist.gov/vuln/detail/CVE-2023-0286)\n' +
            '- [https://security.alpinelinux.org/vuln/CVE-2023-0286](https://security.alpinelinux.org/vuln/CVE-2023-0286)\n' +
            '- [https://www.openssl.org/news/secadv/20230207.txt](https://www.openssl.org/news/secadv/20230207.txt)',
        },
        helpUri: 'https://nvd.nist.gov/vuln/detail/CVE-2023-0286',
        properties: {
          tags: ['security', 'vulnerability', 'grype', 'trivy'],
          precision: 'very-high',
          'security-severity': '7.4',
        },
      },
    ])
  })

  it('lists 20 packages and counts the rest; keeps 10 references', () => {
    const findings = Array.from({ length: 23 }, (_, i) =>
      vulnerability({
        package: { name: `pkg${String(i).padStart(2, '0')}`, version: '1.0', type: 'npm' },
        fix: { state: 'unknown', versions: [] },
        references: [`https://example.com/advisory/${i}`],
        detectedBy: ['trivy'],
      }),
    )
    const rule = buildRules(findings).rules[0]!
    expect(rule.help!.text).toContain('- pkg19 1.0 (npm), no fixed version known\n- and 3 more')
    expect(rule.help!.text).not.toContain('pkg20')
    expect(rule.help!.markdown).toContain(
      '| pkg19 | 1.0 | npm | no fixed version known |\n\n… and 3 more package(s).',
    )
    expect(rule.help!.text.match(/https:\/\/example\.com\/advisory\/\d+/g)).toEqual(
      Array.from({ length: 10 }, (_, i) => `https://example.com/advisory/${i}`),
    )
    expect(rule.properties!.precision).toBe('high') // one scanner
  })

  it('names the same package once, however many findings name it', () => {
    const rule = buildRules([vulnerability(), vulnerability({ detectedBy: ['osv-scanner'] })]).rules[0]!
    expect(rule.help!.text.match(/libcrypto3/g)).toHaveLength(1)
  })
})

describe('rules of other kinds', () => {
  it('a built-in check keeps its own help and reads as a name', () => {
    expect(buildRules([builtinFinding()]).rules).toEqual([
      {
        id: 'CSG001',
        name: 'ImageRunsAsRoot',
        shortDescription: { text: 'Image runs as root' },
        fullDescription: {
          text: 'The image has no USER instruction, so containers run as root unless the runtime says otherwise.',
        },
        help: {
          text: 'Add a USER instruction with a non-root user to the final stage.',
          markdown:
            'Add a `USER` instruction with a non-root user to the final stage:\n\n```dockerfile\nUSER 10001\n```',
        },
        helpUri: 'https://docs.docker.com/develop/develop-images/instructions/#user',
        properties: {
          tags: ['security', 'misconfiguration', 'builtin'],
          precision: 'high',
          'security-severity': '8.0',
        },
      },
    ])
  })

  it('a secret without help gets its title and description as help, medium precision, no helpUri', () => {
    const rule = buildRules([secretFinding({ help: undefined })]).rules[0]!
    expect(rule.help).toEqual({
      text: 'Secret in an ENV instruction\n\nAn environment variable that looks like a credential is baked into the image.',
      markdown:
        '**Secret in an ENV instruction**\n\nAn environment variable that looks like a credential is baked into the image.',
    })
    expect(rule.helpUri).toBeUndefined()
    expect(rule.properties).toEqual({
      tags: ['security', 'secret', 'builtin'],
      precision: 'medium',
      'security-severity': '9.5',
    })
  })

  it.each([
    ['Image runs as root', 'misconfiguration', 'ImageRunsAsRoot'],
    ['ENV holds an AWS key', 'secret', 'EnvHoldsAnAwsKey'],
    ['  --  Base-image (too) OLD!  ', 'misconfiguration', 'BaseImageTooOld'],
    ['2 users share UID 0', 'compliance', 'Compliance2UsersShareUid0'],
    [
      'one two three four five six seven eight nine ten eleven',
      'secret',
      'OneTwoThreeFourFiveSixSevenEightNineTen',
    ],
  ] as const)('the title %j of a %s rule gives the name %s', (title, kind, name) => {
    const finding = builtinFinding({ kind, title, ruleId: 'X1', detectedBy: ['builtin'] })
    expect(buildRules([finding]).rules[0]!.name).toBe(name)
  })

  it('keeps at most 10 tags', () => {
    const scanners = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j', 'k'].map((s) => `scanner-${s}`)
    const rule = buildRules([vulnerability({ detectedBy: scanners })]).rules[0]!
    expect(rule.properties!.tags).toEqual(['security', 'vulnerability', ...scanners.slice(0, 8)])
  })
})

describe('securitySeverity: what code scanning ranks the rule by', () => {
  it.each<[Severity, number | undefined, string | undefined]>([
    ['critical', 9.8, '9.8'],
    ['critical', 11, '10.0'],
    ['critical', undefined, '9.5'],
    ['high', 7, '7.0'],
    ['high', 9.1, '8.0'], // another source's critical score: the band of the severity the gate judged
    ['high', Number.NaN, '8.0'],
    ['medium', 5.3, '5.3'],
    ['medium', 3.9, '5.5'],
    ['low', 2.1, '2.1'],
    ['low', undefined, '2.0'],
    ['unknown', 5, undefined],
  ])('%s with score %p → %p', (severity, score, expected) => {
    expect(securitySeverity(severity, score)).toBe(expected)
  })

  it('takes the highest score among the findings at the rule severity only', () => {
    const rule = buildRules([
      vulnerability({ severity: 'high', score: 7.1 }),
      vulnerability({ severity: 'high', score: 8.2, detectedBy: ['grype'] }),
      vulnerability({ severity: 'medium', score: 6.9, detectedBy: ['osv-scanner'] }),
    ]).rules[0]!
    expect(rule.properties!['security-severity']).toBe('8.2')
  })
})
