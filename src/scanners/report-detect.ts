/**
 * The format of a report told from its content, for `--report PATH` without a `format:` prefix. Only
 * formats whose documents say what they are are recognised; anything else needs the prefix. Pure.
 */
import type { ReportFormat } from './scanner.js'

/** What a report's content says it is: an importable format (our own findings JSON included), or nothing known. */
export type DetectedReport = { format: ReportFormat } | undefined

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

export function detectReportFormat(text: string): DetectedReport {
  let doc: unknown
  try {
    doc = JSON.parse(text)
  } catch {
    return undefined
  }
  if (!isRecord(doc)) return undefined
  // Trivy's `types.Report` (aquasecurity/trivy pkg/types/report.go): SchemaVersion, ArtifactName, Results.
  if (typeof doc['SchemaVersion'] === 'number' && ('Results' in doc || 'ArtifactName' in doc)) {
    return { format: 'trivy' }
  }
  // Grype's JSON document (anchore/grype grype/presenter/models/document.go): matches, descriptor.name.
  const descriptor = doc['descriptor']
  if (Array.isArray(doc['matches']) && isRecord(descriptor) && descriptor['name'] === 'grype') {
    return { format: 'grype' }
  }
  // SARIF 2.1.0 §3.13: a sarifLog has `version` "2.1.0", optionally `$schema`, and `runs`.
  const schema = doc['$schema']
  const saysSarif = doc['version'] === '2.1.0' || (typeof schema === 'string' && /sarif/i.test(schema))
  if (saysSarif && Array.isArray(doc['runs'])) return { format: 'sarif' }
  // Our findings JSON (report/findings-json.ts): version, tool.name, findings — any version, so that a
  // newer file reaches the parser and its clear "format version" error.
  const tool = doc['tool']
  if (isRecord(tool) && tool['name'] === 'container-security-gate' && Array.isArray(doc['findings'])) {
    return { format: 'findings' }
  }
  return undefined
}
