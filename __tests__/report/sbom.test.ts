import { describe, expect, it } from '@jest/globals'
import type { ImageInventory } from '../../src/inventory/package.js'
import { renderSbom, type RenderSbomOptions } from '../../src/report/sbom.js'
import { vulnerability } from '../helpers/gate-result-fixtures.js'
import { cycloneDxErrors, spdxErrors } from '../helpers/sbom-check.js'

const LAYER0 = `sha256:${'a'.repeat(64)}`
const LAYER1 = `sha256:${'b'.repeat(64)}`

const inventory: ImageInventory = {
  target: 'app:ci',
  distro: { id: 'debian', versionId: '12', prettyName: 'Debian GNU/Linux 12 (bookworm)' },
  packages: [
    {
      name: 'libc6',
      version: '2.36-9+deb12u7',
      type: 'deb',
      purl: 'pkg:deb/debian/libc6@2.36-9+deb12u7?arch=amd64&distro=debian-12',
      licenses: [],
      layer: { index: 0, diffId: LAYER0 },
      path: 'var/lib/dpkg/status',
      arch: 'amd64',
    },
    {
      name: '@types/node',
      version: '20.1.0',
      type: 'npm',
      purl: 'pkg:npm/%40types/node@20.1.0',
      licenses: ['MIT'],
      layer: { index: 1, diffId: LAYER1 },
      path: 'app/node_modules/@types/node/package.json',
    },
    {
      name: 'dual',
      version: '1.0.0',
      type: 'npm',
      purl: 'pkg:npm/dual@1.0.0',
      licenses: ['MIT OR Apache-2.0'],
      layer: { index: 1, diffId: LAYER1 },
      path: 'app/node_modules/dual/package.json',
    },
    {
      name: 'six',
      version: '1.16.0',
      type: 'pypi',
      purl: 'pkg:pypi/six@1.16.0',
      licenses: ['BSD License', 'MIT'],
      layer: { index: 1, diffId: LAYER1 },
      path: 'usr/lib/python3/dist-packages/six-1.16.0.dist-info/METADATA',
    },
  ],
  packagesPerLayer: [1, 3],
  notes: [],
}

const base: Omit<RenderSbomOptions, 'format'> = {
  inventories: [inventory],
  imageIds: { 'app:ci': `sha256:${'c'.repeat(64)}` },
  toolName: 'container-security-gate',
  toolVersion: '0.1.0',
  timestamp: new Date('2026-01-02T03:04:05.678Z'),
  uuid: '11111111-2222-3333-4444-555555555555',
}

describe('CycloneDX 1.6', () => {
  it('describes the image and each package with purl, licenses and layer, and validates', async () => {
    const json = renderSbom({ ...base, format: 'cyclonedx-json' })
    expect(await cycloneDxErrors(json)).toBeUndefined()
    const bom = JSON.parse(json) as {
      specVersion: string
      metadata: { component: { type: string; name: string; version: string } }
      components: {
        name: string
        version: string
        purl: string
        licenses?: unknown[]
        properties: { name: string; value: string }[]
      }[]
    }
    expect(bom.specVersion).toBe('1.6')
    expect(bom.metadata.component).toMatchObject({
      type: 'container',
      name: 'app:ci',
      version: `sha256:${'c'.repeat(64)}`,
    })
    expect(bom.components.map((c) => [c.name, c.version, c.purl, c.licenses])).toEqual([
      [
        'libc6',
        '2.36-9+deb12u7',
        'pkg:deb/debian/libc6@2.36-9+deb12u7?arch=amd64&distro=debian-12',
        undefined,
      ],
      ['@types/node', '20.1.0', 'pkg:npm/%40types/node@20.1.0', [{ license: { id: 'MIT' } }]],
      ['dual', '1.0.0', 'pkg:npm/dual@1.0.0', [{ expression: 'MIT OR Apache-2.0' }]],
      [
        'six',
        '1.16.0',
        'pkg:pypi/six@1.16.0',
        [{ license: { name: 'BSD License' } }, { license: { id: 'MIT' } }],
      ],
    ])
    expect(bom.components[1]?.properties).toEqual([
      { name: 'container-security-gate:layer:diffId', value: LAYER1 },
      { name: 'container-security-gate:layer:index', value: '1' },
      { name: 'container-security-gate:path', value: 'app/node_modules/@types/node/package.json' },
    ])
  })

  it('nests packages under each image when several images are described, and still validates', async () => {
    const json = renderSbom({
      ...base,
      inventories: [inventory, { ...inventory, target: 'other:1' }],
      format: 'cyclonedx-json',
    })
    expect(await cycloneDxErrors(json)).toBeUndefined()
    const bom = JSON.parse(json) as { components: { name: string; components: { 'bom-ref': string }[] }[] }
    expect(bom.components.map((c) => [c.name, c.components.length, c.components[0]?.['bom-ref']])).toEqual([
      ['app:ci', 4, 'image-1:pkg:deb/debian/libc6@2.36-9+deb12u7?arch=amd64&distro=debian-12'],
      ['other:1', 4, 'image-2:pkg:deb/debian/libc6@2.36-9+deb12u7?arch=amd64&distro=debian-12'],
    ])
  })
})

describe('CycloneDX vulnerabilities', () => {
  it('links findings whose purl names an inventory package (epoch qualifier folded in), and validates', async () => {
    const withEpoch = {
      ...inventory,
      packages: [
        ...inventory.packages,
        {
          name: 'login',
          version: '1:4.13+dfsg1-1+b1',
          type: 'deb' as const,
          purl: 'pkg:deb/debian/login@1:4.13+dfsg1-1+b1?arch=amd64&distro=debian-12',
          licenses: [],
          layer: { index: 0, diffId: LAYER0 },
          path: 'var/lib/dpkg/status',
        },
      ],
    }
    const pkg = (name: string, version: string, purl: string) => ({ name, version, type: 'deb', purl })
    const findings = [
      vulnerability({
        ruleId: 'CVE-2025-0001',
        title: 'glibc: overflow',
        severity: 'high',
        score: 7.5,
        package: pkg(
          'libc6',
          '2.36-9+deb12u7',
          'pkg:deb/debian/libc6@2.36-9%2Bdeb12u7?arch=amd64&distro=debian-12.5',
        ),
      }),
      vulnerability({
        ruleId: 'CVE-2025-0002',
        title: 'shadow: bug',
        severity: 'medium',
        score: 5.5,
        package: pkg(
          'login',
          '4.13+dfsg1-1+b1',
          'pkg:deb/debian/login@4.13%2Bdfsg1-1%2Bb1?arch=amd64&epoch=1',
        ),
      }),
      vulnerability({
        ruleId: 'CVE-2025-0003',
        title: 'not installed here',
        package: pkg('curl', '7.88.1-10', 'pkg:deb/debian/curl@7.88.1-10'),
      }),
      vulnerability({
        ruleId: 'CVE-2025-0004',
        title: 'suppressed',
        package: pkg('libc6', '2.36-9+deb12u7', 'pkg:deb/debian/libc6@2.36-9+deb12u7'),
        suppression: { kind: 'ignore', reason: 'accepted' },
      }),
    ]
    const json = renderSbom({
      ...base,
      inventories: [withEpoch],
      findings: { 'app:ci': findings },
      format: 'cyclonedx-json',
    })
    expect(await cycloneDxErrors(json)).toBeUndefined()
    const bom = JSON.parse(json) as {
      vulnerabilities: { id: string; ratings: unknown[]; affects: { ref: string }[] }[]
    }
    expect(bom.vulnerabilities.map((v) => [v.id, v.ratings, v.affects])).toEqual([
      [
        'CVE-2025-0001',
        [{ score: 7.5, severity: 'high' }],
        [{ ref: 'pkg:deb/debian/libc6@2.36-9+deb12u7?arch=amd64&distro=debian-12' }],
      ],
      [
        'CVE-2025-0002',
        [{ score: 5.5, severity: 'medium' }],
        [{ ref: 'pkg:deb/debian/login@1:4.13+dfsg1-1+b1?arch=amd64&distro=debian-12' }],
      ],
    ])
  })
})

describe('SPDX 2.3', () => {
  it('describes the image, contains each package with its purl, and validates against the 2.3 schema', () => {
    const json = renderSbom({ ...base, format: 'spdx-json' })
    expect(spdxErrors(json)).toBeUndefined()
    const doc = JSON.parse(json) as {
      spdxVersion: string
      documentNamespace: string
      creationInfo: { created: string; creators: string[] }
      documentDescribes: string[]
      packages: {
        SPDXID: string
        name: string
        versionInfo?: string
        licenseDeclared: string
        licenseComments?: string
        sourceInfo?: string
        externalRefs?: { referenceLocator: string }[]
      }[]
      relationships: { spdxElementId: string; relationshipType: string; relatedSpdxElement: string }[]
    }
    expect(doc.spdxVersion).toBe('SPDX-2.3')
    expect(doc.documentNamespace).toBe(
      'https://spdx.org/spdxdocs/container-security-gate/app-ci-11111111-2222-3333-4444-555555555555',
    )
    expect(doc.creationInfo).toEqual({
      created: '2026-01-02T03:04:05Z',
      creators: ['Tool: container-security-gate-0.1.0'],
    })
    expect(doc.documentDescribes).toEqual(['SPDXRef-Image-1-app-ci'])
    expect(
      doc.packages.map((p) => [
        p.SPDXID,
        p.name,
        p.versionInfo,
        p.licenseDeclared,
        p.externalRefs?.[0]?.referenceLocator,
      ]),
    ).toEqual([
      ['SPDXRef-Image-1-app-ci', 'app:ci', `sha256:${'c'.repeat(64)}`, 'NOASSERTION', undefined],
      [
        'SPDXRef-Package-1-1-deb-libc6',
        'libc6',
        '2.36-9+deb12u7',
        'NOASSERTION',
        'pkg:deb/debian/libc6@2.36-9+deb12u7?arch=amd64&distro=debian-12',
      ],
      ['SPDXRef-Package-1-2-npm-types-node', '@types/node', '20.1.0', 'MIT', 'pkg:npm/%40types/node@20.1.0'],
      ['SPDXRef-Package-1-3-npm-dual', 'dual', '1.0.0', 'MIT OR Apache-2.0', 'pkg:npm/dual@1.0.0'],
      ['SPDXRef-Package-1-4-pypi-six', 'six', '1.16.0', 'NOASSERTION', 'pkg:pypi/six@1.16.0'],
    ])
    expect(doc.packages[4]?.licenseComments).toBe('The package metadata states: BSD License; MIT')
    expect(doc.packages[2]?.sourceInfo).toBe(
      `read from /app/node_modules/@types/node/package.json, added by layer 1 (${LAYER1})`,
    )
    expect(doc.relationships).toContainEqual({
      spdxElementId: 'SPDXRef-Image-1-app-ci',
      relationshipType: 'CONTAINS',
      relatedSpdxElement: 'SPDXRef-Package-1-3-npm-dual',
    })
    expect(doc.relationships).toHaveLength(5)
  })

  it('the schema check catches a document without the required name', () => {
    const json = renderSbom({ ...base, format: 'spdx-json' })
    const broken = JSON.parse(json) as Record<string, unknown>
    delete broken['name']
    expect(spdxErrors(JSON.stringify(broken))).toBeDefined()
  })
})
