/** What a code-scanning alert shows of its rule (issue #11): rule text never from one finding, stable names. */
import { describe, expect, it } from '@jest/globals'
import { buildRules } from '../../src/report/sarif-rules.js'
import { toFinding } from '../../src/scanners/builtin/check.js'
import { secretFilesCheck } from '../../src/scanners/builtin/secret-files.js'
import { vulnerability } from '../helpers/gate-result-fixtures.js'

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
