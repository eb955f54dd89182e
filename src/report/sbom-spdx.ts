/**
 * The inventory as an SPDX 2.3 JSON document, written after the SPDX 2.3 specification (spdx.github.io/
 * spdx-spec/v2.3) and its JSON schema (spdx/spdx-spec, tag v2.3, schemas/spdx-schema.json): the
 * document DESCRIBES each image (a package with purpose CONTAINER), and each image CONTAINS its
 * packages. A package's purl is a PACKAGE-MANAGER external reference (Annex F); its stated licenses become
 * `licenseDeclared` when they are SPDX expressions (NOASSERTION otherwise, with the stated text in
 * `licenseComments`); the layer that brought it in is in `sourceInfo`. No files are analysed.
 */
import type { ImageInventory, InventoryPackage } from '../inventory/package.js'
import { spdxExpressionOf } from './sbom-licenses.js'
import type { SbomOptions } from './sbom-cyclonedx.js'

export interface SpdxOptions extends SbomOptions {
  /** Makes the document namespace unique (SPDX 2.3 §6.5); a random UUID in production. */
  uuid: string
}

export interface SpdxPackage {
  SPDXID: string
  name: string
  versionInfo?: string
  downloadLocation: 'NOASSERTION'
  filesAnalyzed: false
  primaryPackagePurpose?: 'CONTAINER' | 'LIBRARY'
  licenseConcluded: 'NOASSERTION'
  licenseDeclared: string
  licenseComments?: string
  copyrightText: 'NOASSERTION'
  sourceInfo?: string
  externalRefs?: { referenceCategory: 'PACKAGE-MANAGER'; referenceType: 'purl'; referenceLocator: string }[]
}

export interface SpdxDocument {
  spdxVersion: 'SPDX-2.3'
  dataLicense: 'CC0-1.0'
  SPDXID: 'SPDXRef-DOCUMENT'
  name: string
  documentNamespace: string
  creationInfo: { created: string; creators: string[] }
  documentDescribes: string[]
  packages: SpdxPackage[]
  relationships: {
    spdxElementId: string
    relationshipType: 'DESCRIBES' | 'CONTAINS'
    relatedSpdxElement: string
  }[]
}

/** SPDX 2.3 §3.2: `SPDXRef-` then letters, digits, `.` and `-` only. */
function idSafe(text: string): string {
  return (
    text
      .replace(/[^A-Za-z0-9.-]+/g, '-')
      .replace(/-{2,}/g, '-')
      .replace(/^-+|-+$/g, '') || 'x'
  )
}

function packageOf(pkg: InventoryPackage, id: string): SpdxPackage {
  const expression = spdxExpressionOf(pkg.licenses)
  const out: SpdxPackage = {
    SPDXID: id,
    name: pkg.name,
    versionInfo: pkg.version,
    downloadLocation: 'NOASSERTION',
    filesAnalyzed: false,
    primaryPackagePurpose: 'LIBRARY',
    licenseConcluded: 'NOASSERTION',
    licenseDeclared: expression ?? 'NOASSERTION',
    copyrightText: 'NOASSERTION',
    sourceInfo: `read from /${pkg.path}, added by layer ${pkg.layer.index} (${pkg.layer.diffId})`,
    externalRefs: [
      { referenceCategory: 'PACKAGE-MANAGER', referenceType: 'purl', referenceLocator: pkg.purl },
    ],
  }
  if (expression === undefined && pkg.licenses.length > 0) {
    out.licenseComments = `The package metadata states: ${pkg.licenses.join('; ')}`
  }
  return out
}

function imagePackage(inventory: ImageInventory, id: string, imageId: string | undefined): SpdxPackage {
  const image: SpdxPackage = {
    SPDXID: id,
    name: inventory.target,
    downloadLocation: 'NOASSERTION',
    filesAnalyzed: false,
    primaryPackagePurpose: 'CONTAINER',
    licenseConcluded: 'NOASSERTION',
    licenseDeclared: 'NOASSERTION',
    copyrightText: 'NOASSERTION',
  }
  if (imageId !== undefined) image.versionInfo = imageId
  return image
}

export function buildSpdxDocument(options: SpdxOptions): SpdxDocument {
  const targets = options.inventories.map((i) => i.target)
  const name = targets.join(', ') || 'container image'
  const document: SpdxDocument = {
    spdxVersion: 'SPDX-2.3',
    dataLicense: 'CC0-1.0',
    SPDXID: 'SPDXRef-DOCUMENT',
    name,
    documentNamespace: `https://spdx.org/spdxdocs/${options.toolName}/${idSafe(name)}-${options.uuid}`,
    creationInfo: {
      // SPDX 2.3 §6.9: YYYY-MM-DDThh:mm:ssZ, no fraction.
      created: options.timestamp.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      creators: [`Tool: ${options.toolName}-${options.toolVersion}`],
    },
    documentDescribes: [],
    packages: [],
    relationships: [],
  }
  options.inventories.forEach((inventory, imageIndex) => {
    const imageId = `SPDXRef-Image-${imageIndex + 1}-${idSafe(inventory.target)}`
    document.documentDescribes.push(imageId)
    document.packages.push(imagePackage(inventory, imageId, options.imageIds?.[inventory.target]))
    document.relationships.push({
      spdxElementId: 'SPDXRef-DOCUMENT',
      relationshipType: 'DESCRIBES',
      relatedSpdxElement: imageId,
    })
    inventory.packages.forEach((pkg, index) => {
      const id = `SPDXRef-Package-${imageIndex + 1}-${index + 1}-${idSafe(`${pkg.type}-${pkg.name}`)}`
      document.packages.push(packageOf(pkg, id))
      document.relationships.push({
        spdxElementId: imageId,
        relationshipType: 'CONTAINS',
        relatedSpdxElement: id,
      })
    })
  })
  return document
}

export function serializeSpdx(document: SpdxDocument): string {
  return `${JSON.stringify(document, null, 2)}\n`
}
