import { describe, it, expect } from '@jest/globals'
import fc from 'fast-check'
import { parsePolicyFile } from '../../src/config/policy-file.js'
import { loadBaseline } from '../../src/policy/baseline.js'
import { parseOpenVex } from '../../src/policy/vex.js'
import { parseTrivyIgnore } from '../../src/policy/suppress.js'
import { ConfigurationError } from '../../src/util/errors.js'

/** Either a result or a ConfigurationError: never a raw TypeError/SyntaxError. */
function onlyConfigurationErrors(parse: () => unknown): void {
  try {
    parse()
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError)
  }
}

const yamlish = fc.oneof(
  fc.string(),
  fc
    .array(
      fc.constantFrom(
        'fail-on:',
        '  vulnerability: high',
        'ignore:',
        '  - id: CVE-1',
        '    reason: x',
        '  - ',
        'vex: [a',
        ': :',
        '\t',
        '- [',
        'gate-on: new',
        '&a *a',
        '!!binary x',
      ),
      { maxLength: 8 },
    )
    .map((lines) => lines.join('\n')),
)

describe('parsers of user files never crash', () => {
  it('policy file', () => {
    fc.assert(
      fc.property(yamlish, (text) => onlyConfigurationErrors(() => parsePolicyFile(text, 'p.yml'))),
      { numRuns: 300 },
    )
  })

  it('OpenVEX documents', () => {
    const doc = fc.record({
      '@context': fc.constantFrom('https://openvex.dev/ns/v0.2.0', 42, undefined),
      statements: fc.oneof(fc.anything(), fc.array(fc.anything(), { maxLength: 3 })),
    })
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          doc.map((d) => JSON.stringify(d)),
          fc.jsonValue().map((v) => JSON.stringify(v)),
        ),
        (text) => onlyConfigurationErrors(() => parseOpenVex(text, 'v.json')),
      ),
      { numRuns: 300 },
    )
  })

  it('baseline SARIF', () => {
    const sarif = fc.record({
      runs: fc.oneof(fc.anything(), fc.array(fc.record({ results: fc.anything() }), { maxLength: 3 })),
    })
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          sarif.map((s) => JSON.stringify(s)),
        ),
        (text) => onlyConfigurationErrors(() => loadBaseline(text, 'b.sarif')),
      ),
      { numRuns: 300 },
    )
  })

  it('.trivyignore', () => {
    fc.assert(
      fc.property(fc.string(), (text) => onlyConfigurationErrors(() => parseTrivyIgnore(text))),
      { numRuns: 300 },
    )
  })
})
