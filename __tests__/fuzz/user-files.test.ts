/**
 * The loaders of files users write — the policy file, OpenVEX documents, `.trivyignore`, the baseline
 * SARIF — fed random YAML-ish text and mutated valid files: a result or a ConfigurationError, nothing else,
 * never a hang.
 */
import { describe, it, expect } from '@jest/globals'
import fc from 'fast-check'
import { parsePolicyFile } from '../../src/config/policy-file.js'
import { loadBaseline } from '../../src/policy/baseline.js'
import { parseTrivyIgnore } from '../../src/policy/suppress.js'
import { parseOpenVex } from '../../src/policy/vex.js'
import { ConfigurationError } from '../../src/util/errors.js'
import { arbitraryJsonText, mutatedJson, mutatedText } from './fuzz-mutations.js'
import { fuzz, fuzzSettings, onlyExpectedErrors, testTimeout } from './fuzz-support.js'

const settings = fuzzSettings()
const ALLOWED = [ConfigurationError]

const POLICY = {
  'fail-on': { vulnerability: 'high', secret: 'low', misconfiguration: 'medium' },
  'only-fixed': true,
  ignore: [
    {
      id: 'CVE-2024-0727',
      package: 'openssl',
      image: 'ghcr.io/acme/app',
      reason: 'not reachable',
      expires: '2099-12-31',
    },
    { id: 'DS002', reason: 'runs as root by design' },
  ],
  vex: ['.vex/app.openvex.json'],
  'severity-source': 'grype',
  'gate-on': 'new',
}

const POLICY_YAML = `# gate policy
fail-on:
  vulnerability: high
  secret: low
only-fixed: true
ignore:
  - id: CVE-2024-0727
    package: openssl
    reason: "not reachable: the PKCS12 parser is never called"
    expires: 2099-12-31
  - id: DS002
    reason: >
      runs as root by design
vex: [.vex/app.openvex.json]
severity-source: highest
gate-on: all
`

/** Lines that have tripped YAML loaders: anchors, aliases, tags, merge keys, odd indentation. */
const YAML_LINES = [
  'fail-on:',
  'fail-on: critical',
  '  vulnerability: high',
  '  vulnerabilty: high',
  'ignore:',
  '  - id: CVE-1',
  '    reason: x',
  '    expires: 2024-02-30',
  '  - ',
  'vex: [a',
  ': :',
  '\t',
  '- [',
  'gate-on: new',
  '&a *a',
  'a: &a [x, y]',
  'b: [*a, *a, *a, *a]',
  '<<: *a',
  '!!binary aGVsbG8=',
  '!!js/function "function () {}"',
  '? complex key',
  '%YAML 1.1',
  '---',
  '...',
  '"\\ud800"',
  'only-fixed: yes',
  '__proto__: {polluted: true}',
  'constructor: x',
]

/** A billion-laughs document: each alias doubles the one before. */
const LAUGHS = Array.from({ length: 12 }, (_, i) =>
  i === 0 ? 'l0: &l0 [lol, lol]' : `l${i}: &l${i} [*l${i - 1}, *l${i - 1}]`,
).join('\n')

const DEEP_YAML = [
  `${'['.repeat(5000)}${']'.repeat(5000)}`,
  `${'- '.repeat(3000)}x`,
  `${'a:\n '.repeat(2000)}b`,
]

const yamlish: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 300 }),
  fc.array(fc.constantFrom(...YAML_LINES), { maxLength: 12 }).map((lines) => lines.join('\n')),
  mutatedText([POLICY_YAML, LAUGHS, ...DEEP_YAML]),
  mutatedJson([POLICY]),
)

const OPENVEX = {
  '@context': 'https://openvex.dev/ns/v0.2.0',
  '@id': 'https://example.com/vex/app-1',
  author: 'Security team',
  timestamp: '2026-01-01T00:00:00Z',
  version: 1,
  statements: [
    {
      vulnerability: { name: 'CVE-2024-0727', aliases: ['GHSA-9v9h-cgj8-h64p'] },
      products: [
        {
          '@id': 'pkg:oci/app?repository_url=ghcr.io/acme/app',
          subcomponents: [{ '@id': 'pkg:apk/alpine/openssl@3.1.4-r0' }],
        },
      ],
      status: 'not_affected',
      justification: 'vulnerable_code_not_in_execute_path',
      timestamp: '2026-01-02T00:00:00Z',
    },
    {
      vulnerability: 'CVE-2022-25883',
      products: ['pkg:npm/semver@7.5.1', { identifiers: { purl: 'pkg:npm/semver@7.5.1' } }],
      status: 'fixed',
    },
    {
      vulnerability: { name: 'CVE-2023-45853' },
      products: [{ '@id': 'pkg:apk/alpine/zlib' }],
      status: 'affected',
      action_statement: 'Upgrade zlib',
      status_notes: 'tracked in JIRA-1',
    },
  ],
}

const TRIVYIGNORE = `# accepted risks
CVE-2024-0727 exp:2099-12-31
CVE-2022-25883
  DS002   exp:2030-01-01 # root by design
GHSA-c2qf-rxjj-qqgw
`

const BASELINE = {
  version: '2.1.0',
  runs: [
    {
      tool: { driver: { name: 'container-security-gate' } },
      results: [
        { ruleId: 'CVE-2024-0727', partialFingerprints: { primaryLocationLineHash: 'a1b2c3:1' } },
        { ruleId: 'DS002', partialFingerprints: { primaryLocationLineHash: 'd4e5f6:1' } },
      ],
    },
    { tool: { driver: { name: 'container-security-gate' } } },
  ],
}

async function loadsSafely<T>(load: () => T, text: string): Promise<T | undefined> {
  return onlyExpectedErrors(load, ALLOWED, () => text)
}

describe('user file loaders fuzzing', () => {
  it('every seed file loads', () => {
    expect(parsePolicyFile(POLICY_YAML, 'seed.yml').ignore).toHaveLength(2)
    expect(parsePolicyFile(JSON.stringify(POLICY), 'seed.yml').ignore).toHaveLength(2)
    expect(parseOpenVex(JSON.stringify(OPENVEX), 'seed.json')).toHaveLength(3)
    expect(parseTrivyIgnore(TRIVYIGNORE, 'seed')).toHaveLength(4)
    expect(loadBaseline(JSON.stringify(BASELINE), 'seed.sarif').size).toBe(2)
  })

  it(
    'policy file: random YAML-ish text and mutated policies',
    async () => {
      await fuzz(yamlish, (text) => loadsSafely(() => parsePolicyFile(text, 'fuzz.yml'), text), settings)
    },
    testTimeout(settings),
  )

  it(
    'OpenVEX documents',
    async () => {
      await fuzz(
        fc.oneof(arbitraryJsonText, mutatedJson([OPENVEX])),
        (text) => loadsSafely(() => parseOpenVex(text, 'fuzz.json'), text),
        settings,
      )
    },
    testTimeout(settings),
  )

  it(
    '.trivyignore',
    async () => {
      await fuzz(
        fc.oneof(fc.string({ unit: 'binary', maxLength: 300 }), mutatedText([TRIVYIGNORE])),
        (text) => loadsSafely(() => parseTrivyIgnore(text, 'fuzz'), text),
        settings,
      )
    },
    testTimeout(settings),
  )

  it(
    'baseline SARIF',
    async () => {
      await fuzz(
        fc.oneof(arbitraryJsonText, mutatedJson([BASELINE])),
        (text) => loadsSafely(() => loadBaseline(text, 'fuzz.sarif'), text),
        settings,
      )
    },
    testTimeout(settings),
  )
})
