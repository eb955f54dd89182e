/**
 * The action.yml document, generated from `INPUT_DEFINITIONS` and `OUTPUT_DEFINITIONS` so the metadata,
 * the CLI flags and the README cannot drift (a test compares the committed action.yml with this).
 */
import { INPUT_DEFINITIONS } from './inputs.js'

export const OUTPUT_DEFINITIONS: readonly { name: string; description: string }[] = [
  {
    name: 'result',
    description:
      'The verdict: pass, fail (findings at or above the threshold) or error (a scan did not complete, or the run stopped on a bad input or an unreadable image; the job summary says what failed).',
  },
  { name: 'total', description: 'Findings that are not suppressed, all severities.' },
  { name: 'critical', description: 'Critical findings (not suppressed).' },
  { name: 'high', description: 'High findings (not suppressed).' },
  { name: 'medium', description: 'Medium findings (not suppressed).' },
  { name: 'low', description: 'Low findings (not suppressed).' },
  { name: 'unknown', description: 'Findings of unknown severity (not suppressed).' },
  { name: 'sarif-file', description: 'Path of the SARIF log written.' },
  { name: 'findings-file', description: 'Path of the findings JSON written.' },
  { name: 'sarif-id', description: 'The code-scanning upload id, when the SARIF was uploaded.' },
  {
    name: 'sarif-truncated',
    description:
      "Results code scanning will not show (0 when none): those left out of the SARIF to stay within GitHub's limits, plus those over the 5,000 per run it stores (the most severe 5,000 are uploaded; `sarif-file` and `findings-file` keep them all).",
  },
  { name: 'sbom-file', description: 'Path of the SBOM written (empty when sbom-file was not set).' },
]

export interface ActionMetadata {
  name: string
  description: string
  author: string
  branding: { icon: string; color: string }
  inputs: Record<string, { description: string; required: boolean; default?: string }>
  outputs: Record<string, { description: string }>
  runs: { using: string; main: string }
}

export function actionMetadata(): ActionMetadata {
  const inputs: ActionMetadata['inputs'] = {}
  for (const d of INPUT_DEFINITIONS) {
    inputs[d.name] = {
      description: d.description,
      required: false,
      ...('default' in d ? { default: d.default } : {}),
    }
  }
  const outputs: ActionMetadata['outputs'] = {}
  for (const o of OUTPUT_DEFINITIONS) outputs[o.name] = { description: o.description }
  return {
    name: 'Container Security Gate',
    description:
      'Scan the image you just built with the scanners you pick (Trivy, Grype, OSV-Scanner, Dockle, hadolint, Snyk, ...) plus native checks; one de-duplicated SARIF, one verdict.',
    author: 'container-security-gate',
    branding: { icon: 'shield', color: 'blue' },
    inputs,
    outputs,
    runs: { using: 'node24', main: 'dist/index.js' },
  }
}
