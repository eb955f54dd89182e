/**
 * Every registered scanner has its pieces: the checklist of "Adding a scanner" in the README, checked.
 * A scanner registered without a version pin, a version input, a README row or its DB location fails here.
 */
import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { INPUT_DEFINITIONS } from '../../src/config/inputs.js'
import { scannerById } from '../../src/scanners/registry.js'
import { DB_SCANNERS, SCANNER_IDS, type ScannerId } from '../../src/scanners/scanner.js'
import { DEFAULT_VERSIONS, isDownloadableTool } from '../../src/tools/versions.js'

const downloadable = SCANNER_IDS.filter((id) => id !== 'builtin').map((id) => [id])

describe('the scanner registry', () => {
  it('knows these scanners, builtin first (the default list and the docs follow this order)', () => {
    expect(SCANNER_IDS).toEqual([
      'builtin',
      'trivy',
      'grype',
      'osv-scanner',
      'dockle',
      'hadolint',
      'snyk',
      'docker-bench',
      'cinc-auditor',
      'cosign',
    ])
  })

  it.each(SCANNER_IDS.map((id) => [id]))('registers %s under its own id, with a display name', (id) => {
    const scanner = scannerById(id)
    expect(scanner.id).toBe(id)
    expect(scanner.name.trim()).not.toBe('')
  })

  it('installs nothing for builtin', () => {
    expect(scannerById('builtin').tool).toBeUndefined()
    expect(isDownloadableTool('builtin')).toBe(false)
  })

  it.each(downloadable)('%s has a tool spec of its own name and a pinned version', (id) => {
    expect(scannerById(id).tool?.name).toBe(id)
    expect(isDownloadableTool(id)).toBe(true)
    expect(isDownloadableTool(id) ? DEFAULT_VERSIONS[id] : undefined).toMatch(/^\d+\.\d+\.\d+$/)
  })

  it.each(downloadable)('%s has a %s-version input row with its CLI flag', (id) => {
    const row = INPUT_DEFINITIONS.find((d) => d.name === `${id}-version`)
    expect(row).toMatchObject({ kind: 'version', flag: `--${id}-version` })
  })

  it.each(SCANNER_IDS.map((id) => [id]))('%s has a row in the README scanner table', (id) => {
    const readme = readFileSync('README.md', 'utf8')
    expect(readme).toMatch(new RegExp(`^\\| \`${id}\` +\\|`, 'm'))
  })

  it('gives a DB location exactly to the scanners whose DB is cached', () => {
    const withDb = SCANNER_IDS.filter((id: ScannerId) => scannerById(id).db !== undefined)
    expect(withDb).toEqual(['trivy', 'grype'])
    expect([...DB_SCANNERS]).toEqual(withDb)
    expect(scannerById('trivy').db).toEqual({ envVar: 'TRIVY_CACHE_DIR', cachedSubdirs: ['db', 'java-db'] })
    expect(scannerById('grype').db).toEqual({ envVar: 'GRYPE_DB_CACHE_DIR', cachedSubdirs: ['.'] })
  })

  it('lets only the Dockerfile linter relocate its findings to the Dockerfile', () => {
    const linters = SCANNER_IDS.filter((id) => scannerById(id).locatesInDockerfile === true)
    expect(linters).toEqual(['hadolint'])
  })
})
