import { describe, expect, it } from '@jest/globals'
import { buildSummaryMarkdown } from '../../src/report/summary.js'
import { gateResult, imageResult } from '../helpers/gate-result-fixtures.js'

describe('summary: packages per layer', () => {
  it('adds one line per image with the packages each layer brought in', () => {
    const result = gateResult([imageResult({ target: 'app:ci' })])
    result.inventories = [
      {
        target: 'app:ci',
        distro: { id: 'debian', versionId: '12', prettyName: 'Debian GNU/Linux 12 (bookworm)' },
        packages: [],
        packagesPerLayer: [88, 0, 12],
        notes: [],
      },
    ]
    // `packages` is only counted: the line reads the per-layer counts and the list length.
    result.inventories[0]!.packages.length = 100
    const markdown = buildSummaryMarkdown(result)
    expect(markdown).toContain(
      '### Packages per layer\n\n- app:ci (Debian GNU/Linux 12 (bookworm)): **100** package(s) — layer 0: 88, layer 2: 12\n',
    )
  })

  it('has no packages section when no inventory was read', () => {
    expect(buildSummaryMarkdown(gateResult([imageResult()]))).not.toContain('Packages per layer')
  })
})
