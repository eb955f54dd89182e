/**
 * Reports at the documented limit (200,000 findings; the Trivy JSON is ~21 MB): a Trivy JSON report with
 * one HIGH vulnerability per package and a SARIF log with one error result per file.
 * Shapes as upstream writes them: Trivy's JSON report per aquasecurity/trivy v0.70.0 pkg/types/report.go
 * (SchemaVersion, ArtifactName, ArtifactType, Results[].Target/Class/Type/Vulnerabilities) and
 * pkg/types/vulnerability.go (VulnerabilityID, PkgName, InstalledVersion, Severity, Title); SARIF per the
 * OASIS SARIF 2.1.0 schema (sarif-schema-2.1.0.json, the copy in __tests__/__fixtures__).
 */
export const LIMIT_COUNT = 200_000
export const LIMIT_TARGET = 'registry.example/app:1.2.3'

export function limitTrivyReport(): string {
  const vulnerabilities = []
  for (let i = 0; i < LIMIT_COUNT; i++) {
    vulnerabilities.push({
      VulnerabilityID: `CVE-2024-${100000 + i}`,
      PkgName: `pkg${i}`,
      InstalledVersion: '1.0.0',
      Severity: 'HIGH',
      Title: 'a flaw',
    })
  }
  return JSON.stringify({
    SchemaVersion: 2,
    ArtifactName: LIMIT_TARGET,
    ArtifactType: 'container_image',
    Results: [
      {
        Target: `${LIMIT_TARGET} (debian 12.5)`,
        Class: 'os-pkgs',
        Type: 'debian',
        Vulnerabilities: vulnerabilities,
      },
    ],
  })
}

export function limitSarifLog(): string {
  const results = []
  for (let i = 0; i < LIMIT_COUNT; i++) {
    results.push({
      ruleId: 'R1',
      level: 'error',
      message: { text: `finding ${i}` },
      // Each on a file of its own: results of one rule at one place are one finding after the merge.
      locations: [{ physicalLocation: { artifactLocation: { uri: `usr/lib/pkg${i}/lib.so` } } }],
      partialFingerprints: { k: `${i}` },
    })
  }
  return JSON.stringify({
    version: '2.1.0',
    runs: [{ tool: { driver: { name: 'Scanner X', version: '1.0', rules: [{ id: 'R1' }] } }, results }],
  })
}
