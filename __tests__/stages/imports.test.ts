import { describe, expect, it } from '@jest/globals'
import type { Finding } from '../../src/findings/finding.js'
import type { ScanOutcome } from '../../src/stages/scan.js'
import { groupByImage, imageNameKey } from '../../src/stages/imports.js'

const ID_A = `sha256:${'a'.repeat(64)}`
const ID_B = `sha256:${'b'.repeat(64)}`

function outcome(target: string, scanner: string, imageId?: string): ScanOutcome {
  const finding: Finding = {
    kind: 'vulnerability',
    ruleId: 'CVE-2024-1111',
    aliases: [],
    title: 't',
    description: 'd',
    severity: 'high',
    detectedBy: [scanner],
    target,
    references: [],
  }
  return {
    target,
    findings: [finding],
    run: { scanner, name: scanner, target, status: 'ok', findings: 1, origin: 'report' },
    ...(imageId !== undefined ? { imageId } : {}),
  }
}

describe('imageNameKey', () => {
  it.each([
    ['docker-archive:app.tar', 'app.tar'],
    ['oci-archive:./out/app.tar', 'out/app.tar'],
    ['oci:build/oci', 'build/oci'],
    ['docker:acme/app:1.0', 'acme/app:1.0'],
    ['acme/app:1.0', 'acme/app:1.0'],
    ['./app.tar', 'app.tar'],
  ])('%s → %s', (name, key) => expect(imageNameKey(name)).toBe(key))
})

describe('groupByImage', () => {
  it.each<[string, ScanOutcome[], string[][]]>([
    [
      'one archive named with and without a transport prefix',
      [outcome('app.tar', 'trivy'), outcome('docker-archive:app.tar', 'grype')],
      [['app.tar', 'trivy', 'grype']],
    ],
    [
      'two names, one image ID',
      [outcome('app.tar', 'trivy', ID_A), outcome('acme/app:1.0', 'grype', ID_A)],
      [['app.tar', 'trivy', 'grype']],
    ],
    [
      'two names, two image IDs',
      [outcome('app.tar', 'trivy', ID_A), outcome('other.tar', 'grype', ID_B)],
      [
        ['app.tar', 'trivy'],
        ['other.tar', 'grype'],
      ],
    ],
    [
      'a name match that also has a different ID stays with the name',
      [outcome('app.tar', 'trivy', ID_A), outcome('docker-archive:app.tar', 'grype', ID_A)],
      [['app.tar', 'trivy', 'grype']],
    ],
  ])('%s', (_name, outcomes, expected) => {
    const images = groupByImage(outcomes, [])
    expect(images.map((i) => [i.target, ...i.scanners.map((s) => s.scanner)])).toEqual(expected)
    for (const image of images) {
      expect(new Set(image.findings.map((f) => f.target))).toEqual(new Set([image.target]))
      expect(new Set(image.scanners.map((s) => s.target))).toEqual(new Set([image.target]))
    }
  })

  it('keeps the image ID a report names', () => {
    expect(groupByImage([outcome('app.tar', 'trivy', ID_A)], [])[0]?.imageId).toBe(ID_A)
  })
})

describe('groupByImage with a scanned image reported under a shorter name', () => {
  it('puts a report that names the image as the user wrote it (an absolute path) on that image', () => {
    const target = {
      name: 'app.tar',
      writtenName: '/home/runner/work/_temp/app.tar',
      repository: 'acme/app',
      image: {} as never,
    }
    const images = groupByImage(
      [outcome('app.tar', 'builtin'), outcome('/home/runner/work/_temp/app.tar', 'trivy')],
      [target],
    )
    expect(images.map((i) => [i.target, ...i.scanners.map((s) => s.scanner)])).toEqual([
      ['app.tar', 'builtin', 'trivy'],
    ])
    expect(images[0]?.findings.map((f) => f.target)).toEqual(['app.tar', 'app.tar'])
  })
})
