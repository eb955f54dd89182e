/**
 * Golden fingerprints. A fingerprint is a compatibility promise: GitHub code scanning keys its alerts on
 * `partialFingerprints.primaryLocationLineHash`, and `gate-on: new` compares it with a baseline SARIF.
 * Any change to what goes into it reopens every user's alerts and makes every baseline look new, so the
 * values are written out here literally. A deliberate change must bump the `:1` suffix (see README,
 * "Fingerprints") and update these values in the same commit.
 */
import { describe, expect, it } from '@jest/globals'
import type { Finding } from '../../src/findings/finding.js'
import { fingerprintOf } from '../../src/findings/fingerprint.js'
import { buildSarif } from '../../src/report/sarif.js'
import {
  builtinFinding,
  gateResult,
  imageResult,
  secretFinding,
  vulnerability,
} from '../helpers/gate-result-fixtures.js'

const REPO = 'ghcr.io/acme/app'

const npmVulnerability = vulnerability({
  ruleId: 'GHSA-c2qf-rxjj-qqgw',
  aliases: ['CVE-2022-25883'],
  package: { name: 'semver', version: '7.5.1', type: 'npm', path: '/app/package-lock.json' },
})
const compliance = builtinFinding({
  kind: 'compliance',
  ruleId: 'CIS-DI-0001',
  detectedBy: ['dockle'],
  subject: undefined,
  location: undefined,
  instruction: undefined,
})
const {
  subject: _subject,
  location: _location,
  ...misconfigurationWithoutSubject
} = builtinFinding({
  ruleId: 'DS026',
  detectedBy: ['trivy'],
})

describe('golden fingerprints', () => {
  it.each<[string, Finding, string, string]>([
    [
      'an OS package vulnerability',
      vulnerability(),
      REPO,
      '2814feef095abb7f642cfb5b29c6917b55f54b470f4beab3ff4ff63f5e241b9e:1',
    ],
    [
      'the same vulnerability in another repository',
      vulnerability(),
      'docker.io/library/alpine',
      '2855aaf420bc53b2450f18e06edbc18f3c2015a0338d972549c55abf283d28ca:1',
    ],
    [
      'a language package vulnerability with a package path',
      npmVulnerability,
      REPO,
      'a96ace22f4c7f0e96aa638cd8af2a9ac3db61324d0f230c01fc1918c2fe2903d:1',
    ],
    [
      'a misconfiguration with a subject and a Dockerfile location',
      builtinFinding(),
      REPO,
      'f260e7af55070dbe6ba0af8c15898ece17dfb4f64a04bb8d50b36a742f758fff:1',
    ],
    [
      'a misconfiguration with neither subject nor location',
      misconfigurationWithoutSubject,
      REPO,
      'f38f141de7715d376e79fdc7288215e513576da0be78861a38abc8193eea9b71:1',
    ],
    ['a secret', secretFinding(), REPO, '388be4b21c0fcb40ae997f0e819a8c1231bc4d16b1ca2c950c87cbe71c955193:1'],
    [
      'a compliance finding without location',
      compliance,
      REPO,
      '7ba946ea8c077618af5ec1b0ea50d40e42884f274383673bf1fcee9ad5ce276a:1',
    ],
  ])('%s', (_name, finding, repository, expected) => {
    expect(fingerprintOf(finding, repository)).toBe(expected)
  })

  it.each<[string, Finding]>([
    [
      'another package version',
      vulnerability({ package: { ...vulnerability().package!, version: '3.0.8-r0' } }),
    ],
    [
      'another severity, title and score',
      vulnerability({ severity: 'critical', title: 'changed', score: 9.8 }),
    ],
    ['another image tag as target', vulnerability({ target: 'ghcr.io/acme/app:v2' })],
    ['another layer', vulnerability({ layer: { diffId: 'sha256:' + 'a'.repeat(64) } })],
    ['a Dockerfile location', vulnerability({ location: { path: 'Dockerfile', startLine: 3 } })],
    ['other scanners', vulnerability({ detectedBy: ['grype'] })],
  ])('does not change with %s', (_name, finding) => {
    expect(fingerprintOf(finding, REPO)).toBe(
      '2814feef095abb7f642cfb5b29c6917b55f54b470f4beab3ff4ff63f5e241b9e:1',
    )
  })

  it('is what the SARIF log carries as primaryLocationLineHash', () => {
    const result = gateResult([
      imageResult({ repository: REPO, target: `${REPO}:1.0`, findings: [vulnerability()] }),
    ])
    const log = buildSarif(result, { runPer: 'image' })
    const fingerprints = log.runs.flatMap((run) => (run.results ?? []).map((r) => r.partialFingerprints))
    expect(fingerprints).toEqual([
      { primaryLocationLineHash: '2814feef095abb7f642cfb5b29c6917b55f54b470f4beab3ff4ff63f5e241b9e:1' },
    ])
  })
})
