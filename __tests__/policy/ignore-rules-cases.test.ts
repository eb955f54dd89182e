/**
 * Ignore rules case by case, expected results written out: which rule suppresses which finding (ids and
 * aliases, package specs, image globs, `.trivyignore.yaml` kind/paths/purls narrowing, expiry on the
 * day), what the outcome lists, the messages a bad rule gets, and the two Trivy ignore file formats
 * (aquasecurity/trivy pkg/result/ignore.go at v0.70.0: `.trivyignore` lines with `exp:`, and
 * `.trivyignore.yaml` sections of `{id, paths, purls, statement, expired_at}`).
 */
import { describe, expect, it } from '@jest/globals'
import type { Finding } from '../../src/findings/finding.js'
import {
  applyIgnoreRules,
  describeExpiredRule,
  isRealDate,
  parseTrivyIgnore,
  wildcardMatches,
  type IgnoreRule,
} from '../../src/policy/suppress.js'
import { parsePurl } from '../../src/policy/purl-match.js'
import { parseIgnoreFile, parseTrivyIgnoreYaml } from '../../src/policy/trivy-ignore-yaml.js'
import { ConfigurationError } from '../../src/util/errors.js'
import { bareFinding } from '../helpers/gate-result-fixtures.js'
import { thrownBy } from '../helpers/thrown.js'

const TODAY = new Date('2026-12-07T12:00:00Z')

function vuln(overrides: Partial<Finding> = {}): Finding {
  return bareFinding({
    aliases: ['GHSA-aaaa-bbbb-cccc'],
    target: 'ghcr.io/acme/app:ci',
    package: { name: 'libssl3', version: '3.1.2-r0', type: 'apk', path: '/lib/apk/db/installed' },
    ...overrides,
  })
}

const rule = (overrides: Partial<IgnoreRule> = {}): IgnoreRule => ({
  id: 'CVE-2024-0001',
  reason: 'accepted',
  ...overrides,
})

/** The reason the finding was suppressed with, or undefined. */
function suppressedBy(rules: IgnoreRule[], finding: Finding): string | undefined {
  return applyIgnoreRules([finding], rules, { today: TODAY }).findings[0]!.suppression?.reason
}

describe('which rule matches which finding', () => {
  it.each<[string, Partial<IgnoreRule>, Partial<Finding>, boolean]>([
    ['the rule id', {}, {}, true],
    ['an id in other case and with spaces', { id: ' cve-2024-0001 ' }, {}, true],
    ['an alias', { id: 'ghsa-aaaa-bbbb-cccc' }, {}, true],
    ['another id', { id: 'CVE-2024-0002' }, {}, false],
    ['the package name', { package: 'libssl3' }, {}, true],
    ['the package name in other case', { package: 'LibSSL3' }, {}, true],
    ['the package name and version', { package: 'libssl3@3.1.2-r0' }, {}, true],
    ['another package version', { package: 'libssl3@3.1.3-r0' }, {}, false],
    ['another package', { package: 'libcrypto3' }, {}, false],
    ['a blank package spec', { package: '  ' }, {}, true],
    ['a package spec on a finding without a package', { package: 'libssl3' }, { package: undefined }, false],
    [
      'a scoped npm package and version',
      { package: '@scope/pkg@1.0.0' },
      { package: { name: '@scope/pkg', version: '1.0.0', type: 'npm' } },
      true,
    ],
    [
      'a scoped npm package without version',
      { package: '@scope/pkg' },
      { package: { name: '@scope/pkg', version: '1.0.0', type: 'npm' } },
      true,
    ],
    [
      'a Debian version without its zero epoch',
      { package: 'openssl@3.0.11-1' },
      { package: { name: 'openssl', version: '0:3.0.11-1', type: 'deb' } },
      true,
    ],
    ['the image as named', { image: 'ghcr.io/acme/app:ci' }, {}, true],
    ['the image without its tag', { image: 'ghcr.io/acme/app' }, {}, true],
    [
      'the image without its digest',
      { image: 'ghcr.io/acme/app' },
      { target: 'ghcr.io/acme/app@sha256:abc' },
      true,
    ],
    ['the image in other case', { image: 'GHCR.io/Acme/App' }, {}, true],
    ['an image glob', { image: 'ghcr.io/acme/*' }, {}, true],
    ['an image glob of another owner', { image: 'ghcr.io/other/*' }, {}, false],
    ['another image', { image: 'ghcr.io/acme/app2' }, {}, false],
    ['a longer image', { image: 'ghcr.io/acme/ap' }, {}, false],
    [
      'a registry port is not a tag',
      { image: 'localhost:5000/app' },
      { target: 'localhost:5000/app:1' },
      true,
    ],
    ['a blank image', { image: ' ' }, {}, true],
    ['a tag in other case', { image: 'app:CI' }, { target: 'App:ci' }, true],
    ['a prefix of an image without tag', { image: 'ap' }, { target: 'app' }, false],
    ['a registry host alone', { image: 'localhost' }, { target: 'localhost:5000/app' }, false],
    ['the kind of its section', { kind: 'vulnerability' }, {}, true],
    ['another kind', { kind: 'secret' }, {}, false],
    ['a path glob on the package path', { paths: ['lib/apk/**'] }, {}, true],
    ['a path glob with a leading /', { paths: ['/lib/apk/db/*'] }, {}, true],
    ['path globs of which one matches', { paths: ['usr/**', 'lib/**'] }, {}, true],
    ['a path glob that does not match', { paths: ['usr/**'] }, {}, false],
    ['no path globs', { paths: [] }, {}, true],
    [
      'a path glob on the Dockerfile location',
      { paths: ['docker/Dockerfile'] },
      { package: undefined, location: { path: 'docker/Dockerfile', startLine: 1 } },
      true,
    ],
    ['a path glob on a finding with no path', { paths: ['x'] }, { package: undefined }, false],
    ['a path glob that matches the empty path', { paths: ['**'] }, { package: undefined }, true],
    ['a purl of the package', { purls: [parsePurl('pkg:apk/alpine/libssl3')!] }, {}, true],
    ['a purl of another package', { purls: [parsePurl('pkg:apk/alpine/zlib')!] }, {}, false],
    [
      'a purl on a finding without a package',
      { purls: [parsePurl('pkg:apk/alpine/zlib')!] },
      { package: undefined },
      true,
    ],
    ['no purls', { purls: [] }, {}, true],
    [
      'purls of which one matches',
      { purls: [parsePurl('pkg:apk/alpine/zlib')!, parsePurl('pkg:apk/alpine/libssl3')!] },
      {},
      true,
    ],
  ])('%s: %s', (_name, ruleFields, findingFields, suppressed) => {
    const finding = vuln(findingFields)
    if ('package' in findingFields && findingFields.package === undefined) delete finding.package
    expect(suppressedBy([rule(ruleFields)], finding)).toBe(suppressed ? 'accepted' : undefined)
  })
})

describe('wildcardMatches', () => {
  it.each<[string, string, boolean]>([
    ['*a*', 'xay', true],
    ['**', 'abc', true],
    ['a**b', 'ab', true],
    ['a*bc*c', 'abc', false],
    ['a*bc*c', 'abcc', true],
    ['a*b*b', 'abb', true],
    ['a*b*b', 'ab', false],
    ['x*ab*ab*y', 'xaby', false],
    ['x*ab*ab*y', 'xababy', true],
    ['a*x*b', 'ayb', false],
    ['a*x*b', 'axb', true],
  ])('%j against %j: %s', (glob, text, expected) => {
    expect(wildcardMatches(glob.split('*'), text)).toBe(expected)
  })
})

describe('applyIgnoreRules outcome', () => {
  it('takes the reason and expiry of the first rule that matches, and counts every matching rule as used', () => {
    const wrongPackage = rule({ package: 'zlib', reason: 'zlib only' })
    const first = rule({ reason: 'first', expires: '2027-01-01' })
    const second = rule({ id: 'GHSA-aaaa-bbbb-cccc', reason: 'second' })
    const outcome = applyIgnoreRules([vuln()], [wrongPackage, first, second], { today: TODAY })
    expect(outcome.findings[0]!.suppression).toEqual({
      kind: 'ignore',
      reason: 'first',
      expires: '2027-01-01',
    })
    expect(outcome.unusedRules).toEqual([wrongPackage])
    expect(outcome.expiredRules).toEqual([])
  })

  it('leaves out the expiry of a rule without one', () => {
    const outcome = applyIgnoreRules([vuln()], [rule()], { today: TODAY })
    expect(outcome.findings[0]!.suppression).toStrictEqual({ kind: 'ignore', reason: 'accepted' })
  })

  it.each<[string, string, boolean]>([
    ['the day before it expires', '2026-12-08', true],
    ['the day it expires', '2026-12-07', false],
    ['after it expired', '2026-01-01', false],
  ])('applies a rule %s: %s', (_name, expires, applies) => {
    const expiring = rule({ expires })
    const outcome = applyIgnoreRules([vuln()], [expiring], { today: TODAY })
    expect(outcome.findings[0]!.suppression?.reason).toBe(applies ? 'accepted' : undefined)
    expect(outcome.expiredRules).toEqual(applies ? [] : [expiring])
    expect(outcome.unusedRules).toEqual([])
  })

  it('returns the findings it does not suppress as they are', () => {
    const other = vuln({ ruleId: 'CVE-2024-9999', aliases: [] })
    const outcome = applyIgnoreRules([other], [rule()], { today: TODAY })
    expect(outcome.findings[0]).toBe(other)
    expect(outcome.unusedRules).toEqual([rule()])
  })

  it.each<[IgnoreRule, string]>([
    [
      rule({ expires: '2025-02-30', package: 'libssl3', image: 'app:*', origin: 'policy.yml ignore[0]' }),
      "ignore rule for CVE-2024-0001 (libssl3, app:*) in policy.yml ignore[0]: expires '2025-02-30' is not a real date (YYYY-MM-DD)",
    ],
    [
      rule({ expires: '31.01.2025' }),
      "ignore rule for CVE-2024-0001: expires '31.01.2025' is not a real date (YYYY-MM-DD)",
    ],
    [
      rule({ expires: '', image: 'app' }),
      "ignore rule for CVE-2024-0001 (app): expires '' is not a real date (YYYY-MM-DD)",
    ],
  ])('rejects a rule whose expiry is not a real date: %j', (bad, message) => {
    expect(
      thrownBy(() => applyIgnoreRules([vuln()], [bad], { today: TODAY }), ConfigurationError).message,
    ).toBe(message)
  })
})

describe('describeExpiredRule', () => {
  it.each<[IgnoreRule, string]>([
    [
      rule({
        expires: '2025-01-31',
        package: 'openssl',
        image: 'ghcr.io/acme/*',
        origin: '.trivyignore:3',
        reason: 'r',
      }),
      'ignore rule for CVE-2024-0001 (openssl, ghcr.io/acme/*) in .trivyignore:3 expired on 2025-01-31: r',
    ],
    [rule({ expires: '2025-01-31', reason: 'r' }), 'ignore rule for CVE-2024-0001 expired on 2025-01-31: r'],
    [rule({ image: 'app', reason: 'r' }), 'ignore rule for CVE-2024-0001 (app) expired on ?: r'],
  ])('%j', (expired, line) => {
    expect(describeExpiredRule(expired)).toBe(line)
  })
})

describe('isRealDate', () => {
  it.each<[string, boolean]>([
    ['2024-02-29', true],
    ['2023-02-28', true],
    ['2023-02-29', false],
    ['2024-04-31', false],
    ['2024-13-01', false],
    ['2024-00-10', false],
    ['2024-01-00', false],
    ['2024-01-32', false],
    ['2024-1-01', false],
    [' 2024-01-01', false],
    ['2024-01-01x', false],
    ['2024-01-01T00:00:00Z', false],
    ['', false],
  ])('%j: %s', (text, real) => {
    expect(isRealDate(text)).toBe(real)
  })
})

describe('parseTrivyIgnore', () => {
  it('reads ids with their line numbers, skipping comments and blank lines (CRLF too)', () => {
    expect(
      parseTrivyIgnore(
        'CVE-1\r\n# a comment\n\n  CVE-2 exp:2027-01-31 trailing\n\tGHSA-x  \n',
        'ci/.trivyignore',
      ),
    ).toStrictEqual([
      { id: 'CVE-1', reason: 'from .trivyignore', origin: 'ci/.trivyignore:1' },
      { id: 'CVE-2', reason: 'from .trivyignore', origin: 'ci/.trivyignore:4', expires: '2027-01-31' },
      { id: 'GHSA-x', reason: 'from .trivyignore', origin: 'ci/.trivyignore:5' },
    ])
  })

  it('names the file .trivyignore by default', () => {
    expect(parseTrivyIgnore('CVE-1')).toStrictEqual([
      { id: 'CVE-1', reason: 'from .trivyignore', origin: '.trivyignore:1' },
    ])
  })

  it('lists every bad date, by line', () => {
    expect(
      thrownBy(() => parseTrivyIgnore('CVE-1 exp:2025-13-01\nCVE-2\nCVE-3 exp:\n', 'o'), ConfigurationError)
        .message,
    ).toBe(
      'o:1: exp:2025-13-01 is not a real date (exp:YYYY-MM-DD)\no:3: exp: is not a real date (exp:YYYY-MM-DD)',
    )
  })
})

describe('parseTrivyIgnoreYaml', () => {
  it.each<[string, IgnoreRule[]]>([
    ['', []],
    ['~', []],
    ['secrets:\n', []],
    [
      'vulnerabilities:\n  - id: " CVE-1 "\n    statement: "  "\n',
      [
        {
          id: 'CVE-1',
          reason: 'from .trivyignore.yaml',
          origin: 'o vulnerabilities[0]',
          kind: 'vulnerability',
        },
      ],
    ],
    [
      'misconfigurations:\n  - id: DS002\n    statement: root is fine here\n    expired_at: 2027-01-31T10:00:00Z\n',
      [
        {
          id: 'DS002',
          reason: 'root is fine here',
          origin: 'o misconfigurations[0]',
          kind: 'misconfiguration',
          expires: '2027-01-31',
        },
      ],
    ],
    [
      'secrets:\n  - id: aws-access-key-id\n    expired_at: "2027-01-31 10:00:00"\n    paths: []\n    purls: []\n',
      [
        {
          id: 'aws-access-key-id',
          reason: 'from .trivyignore.yaml',
          origin: 'o secrets[0]',
          kind: 'secret',
          expires: '2027-01-31',
        },
      ],
    ],
    [
      'vulnerabilities:\n  - id: CVE-1\n    paths: ["usr/**"]\n    purls: ["pkg:npm/lodash"]\n  - id: CVE-2\n',
      [
        {
          id: 'CVE-1',
          reason: 'from .trivyignore.yaml',
          origin: 'o vulnerabilities[0]',
          kind: 'vulnerability',
          paths: ['usr/**'],
          purls: [{ type: 'npm', name: 'lodash' }],
        },
        {
          id: 'CVE-2',
          reason: 'from .trivyignore.yaml',
          origin: 'o vulnerabilities[1]',
          kind: 'vulnerability',
        },
      ],
    ],
    ['licenses:\n  - id: GPL-3.0\n', []],
  ])('%j', (text, rules) => {
    expect(parseTrivyIgnoreYaml(text, 'o')).toStrictEqual(rules)
  })

  it.each<[string, string]>([
    ['[]', 'o: expected a mapping of sections'],
    ['just text', 'o: expected a mapping of sections'],
    [
      'constructor: []',
      'o: unknown section "constructor" (vulnerabilities, misconfigurations, secrets, licenses)',
    ],
    ['vulns: []', 'o: unknown section "vulns" (vulnerabilities, misconfigurations, secrets, licenses)'],
    ['secrets: x', 'o: secrets must be a list'],
    ['secrets:\n  - statement: x', 'o secrets[0]: each entry needs an "id"'],
    ['secrets:\n  - id: "  "', 'o secrets[0]: each entry needs an "id"'],
    ['secrets:\n  - id: 5', 'o secrets[0]: each entry needs an "id"'],
    ['secrets:\n  - CVE-1', 'o secrets[0]: each entry needs an "id"'],
    [
      'secrets:\n  - id: x\n    expired_at: 2025-02-30',
      'o secrets[0]: expired_at "2025-02-30" is not a date (YYYY-MM-DD or RFC 3339)',
    ],
    [
      'secrets:\n  - id: x\n    expired_at: 2025-01-31x',
      'o secrets[0]: expired_at "2025-01-31x" is not a date (YYYY-MM-DD or RFC 3339)',
    ],
    [
      'secrets:\n  - id: x\n    expired_at: 2025-01-31Tnoon',
      'o secrets[0]: expired_at "2025-01-31Tnoon" is not a date (YYYY-MM-DD or RFC 3339)',
    ],
    [
      'secrets:\n  - id: x\n    expired_at: 20250131',
      'o secrets[0]: expired_at 20250131 is not a date (YYYY-MM-DD or RFC 3339)',
    ],
    ['secrets:\n  - id: x\n    paths: usr/**', 'o secrets[0]: paths must be a list of strings'],
    ['secrets:\n  - id: x\n    paths: [1]', 'o secrets[0]: paths must be a list of strings'],
    ['secrets:\n  - id: x\n    purls: ["pkg:npm/a", "nope"]', 'o secrets[0]: "nope" is not a package URL'],
    ['licenses:\n  - id: x\n    purls: ["nope"]', 'o licenses[0]: "nope" is not a package URL'],
    [
      'secrets: x\nvulnerabilities:\n  - statement: y',
      'o: secrets must be a list\no vulnerabilities[0]: each entry needs an "id"',
    ],
  ])('%j is refused: %s', (text, message) => {
    expect(thrownBy(() => parseTrivyIgnoreYaml(text, 'o'), ConfigurationError).message).toBe(message)
  })

  it('refuses text that is not YAML, naming the file, on one line', () => {
    const message = thrownBy(() => parseTrivyIgnoreYaml('a: [', 'o'), ConfigurationError).message
    expect(message).toMatch(/^o: not valid YAML: /)
    expect(message).not.toMatch(/\n/)
  })

  it('trims the spaces around a quoted expiry', () => {
    expect(
      parseTrivyIgnoreYaml('secrets:\n  - id: x\n    expired_at: " 2027-01-31 "\n', 'o')[0]!.expires,
    ).toBe('2027-01-31')
  })

  it.each<[string, string, IgnoreRule[]]>([
    [
      'x/.trivyignore.yaml',
      'secrets:\n  - id: S1\n',
      [
        {
          id: 'S1',
          reason: 'from .trivyignore.yaml',
          origin: 'x/.trivyignore.yaml secrets[0]',
          kind: 'secret',
        },
      ],
    ],
    [
      '.trivyignore.YML',
      'secrets:\n  - id: S1\n',
      [{ id: 'S1', reason: 'from .trivyignore.yaml', origin: '.trivyignore.YML secrets[0]', kind: 'secret' }],
    ],
    ['.trivyignore', 'CVE-1\n', [{ id: 'CVE-1', reason: 'from .trivyignore', origin: '.trivyignore:1' }]],
    [
      '.trivyignore.yaml.bak',
      'CVE-1\n',
      [{ id: 'CVE-1', reason: 'from .trivyignore', origin: '.trivyignore.yaml.bak:1' }],
    ],
  ])('parseIgnoreFile reads %j by its extension', (origin, text, rules) => {
    expect(parseIgnoreFile(text, origin)).toStrictEqual(rules)
  })
  it('names the file .trivyignore.yaml by default', () => {
    expect(parseTrivyIgnoreYaml('secrets:\n  - id: x\n')[0]!.origin).toBe('.trivyignore.yaml secrets[0]')
  })
})
