/**
 * The inventory as a CycloneDX 1.6 JSON BOM, built and serialised with @cyclonedx/cyclonedx-library (the
 * OWASP CycloneDX project's own library, which normalises to the 1.6 schema). One image: the image is
 * `metadata.component` (type container) and its packages are the top-level components. Several images:
 * each image is a top-level container component with its packages nested under it.
 *
 * Each package carries its purl (also its bom-ref, prefixed by the image when several are described),
 * its licenses where stated, and properties naming the layer that brought it in and the file it was read
 * from (`container-security-gate:layer:diffId`, `…:layer:index`, `…:path`).
 */
// Subpath imports: the package root also loads its validators, which resolve schema files from
// `__dirname` at import time and cannot run from the ESM bundle.
import * as LicenseContrib from '@cyclonedx/cyclonedx-library/Contrib/License'
import * as Enums from '@cyclonedx/cyclonedx-library/Enums'
import * as Models from '@cyclonedx/cyclonedx-library/Models'
import * as Serialize from '@cyclonedx/cyclonedx-library/Serialize'
import * as Spec from '@cyclonedx/cyclonedx-library/Spec'
import type { Finding } from '../findings/finding.js'
import type { Severity } from '../findings/severity.js'
import type { ImageInventory, InventoryPackage } from '../inventory/package.js'
import { validateSpdxExpression } from './sbom-licenses.js'
import { linkVulnerabilities, packageKey } from './sbom-vulnerabilities.js'

export interface SbomOptions {
  inventories: readonly ImageInventory[]
  /** Image IDs by target (the config digest), when known. */
  imageIds?: Readonly<Record<string, string>>
  toolName: string
  toolVersion: string
  /** The document's timestamp (the run's start). */
  timestamp: Date
  /** Findings by target: vulnerabilities on inventory packages become CycloneDX `vulnerabilities`. */
  findings?: Readonly<Record<string, readonly Finding[]>>
}

const PROPERTY_PREFIX = 'container-security-gate'

function licensesOf(
  pkg: InventoryPackage,
  factory: LicenseContrib.Factories.LicenseFactory,
): Models.License[] {
  // CycloneDX allows one expression or a list of licenses, not both: several stated licenses stay a list.
  if (pkg.licenses.length === 1) return [factory.makeFromString(pkg.licenses[0]!)]
  return pkg.licenses.map((l) => factory.makeDisjunctive(l))
}

function componentOf(
  pkg: InventoryPackage,
  bomRef: string,
  factory: LicenseContrib.Factories.LicenseFactory,
): Models.Component {
  const component = new Models.Component(Enums.ComponentType.Library, pkg.name, {
    version: pkg.version,
    purl: pkg.purl,
    bomRef,
  })
  for (const license of licensesOf(pkg, factory)) component.licenses.add(license)
  component.properties.add(new Models.Property(`${PROPERTY_PREFIX}:layer:diffId`, pkg.layer.diffId))
  component.properties.add(new Models.Property(`${PROPERTY_PREFIX}:layer:index`, String(pkg.layer.index)))
  component.properties.add(new Models.Property(`${PROPERTY_PREFIX}:path`, pkg.path))
  return component
}

function imageComponent(
  inventory: ImageInventory,
  bomRef: string,
  imageId: string | undefined,
): Models.Component {
  const component = new Models.Component(Enums.ComponentType.Container, inventory.target, { bomRef })
  if (imageId !== undefined) component.version = imageId
  if (inventory.distro?.prettyName !== undefined) {
    component.properties.add(new Models.Property(`${PROPERTY_PREFIX}:distro`, inventory.distro.prettyName))
  }
  return component
}

/** Package bom-refs: the purl, plus the file path when one purl is installed at several paths. */
function packageRefs(inventory: ImageInventory, prefix: string): string[] {
  const counts = new Map<string, number>()
  for (const pkg of inventory.packages) counts.set(pkg.purl, (counts.get(pkg.purl) ?? 0) + 1)
  return inventory.packages.map(
    (pkg) => `${prefix}${pkg.purl}${(counts.get(pkg.purl) ?? 0) > 1 ? `#${pkg.path}` : ''}`,
  )
}

export function buildCycloneDxBom(options: SbomOptions): Models.Bom {
  const factory = new LicenseContrib.Factories.LicenseFactory(validateSpdxExpression)
  const bom = new Models.Bom()
  bom.metadata.timestamp = options.timestamp
  bom.metadata.tools.components.add(
    new Models.Component(Enums.ComponentType.Application, options.toolName, {
      version: options.toolVersion,
    }),
  )
  const single = options.inventories.length === 1
  options.inventories.forEach((inventory, index) => {
    const imageRef = single ? 'image' : `image-${index + 1}`
    const image = imageComponent(inventory, imageRef, options.imageIds?.[inventory.target])
    const refs = packageRefs(inventory, single ? '' : `${imageRef}:`)
    const packages = inventory.packages.map((pkg, i) => componentOf(pkg, refs[i]!, factory))
    const refByKey = new Map<string, string>()
    inventory.packages.forEach((pkg, i) => {
      const key = packageKey(pkg.purl)
      if (key !== undefined && !refByKey.has(key)) refByKey.set(key, refs[i]!)
    })
    addVulnerabilities(
      bom,
      linkVulnerabilities(options.findings?.[inventory.target] ?? [], refByKey),
      packages,
    )
    for (const component of packages) {
      if (single) bom.components.add(component)
      else image.components.add(component)
      image.dependencies.add(component.bomRef)
    }
    if (single) bom.metadata.component = image
    else bom.components.add(image)
  })
  return bom
}

const CYCLONEDX_SEVERITY: Record<Severity, Enums.Vulnerability.Severity> = {
  critical: Enums.Vulnerability.Severity.Critical,
  high: Enums.Vulnerability.Severity.High,
  medium: Enums.Vulnerability.Severity.Medium,
  low: Enums.Vulnerability.Severity.Low,
  unknown: Enums.Vulnerability.Severity.Unknown,
}

function addVulnerabilities(
  bom: Models.Bom,
  linked: ReturnType<typeof linkVulnerabilities>,
  components: readonly Models.Component[],
): void {
  const byRef = new Map(components.map((c) => [c.bomRef.value, c]))
  for (const vulnerability of linked) {
    const model = new Models.Vulnerability.Vulnerability({
      id: vulnerability.id,
      description: vulnerability.description,
    })
    const rating = new Models.Vulnerability.Rating({ severity: CYCLONEDX_SEVERITY[vulnerability.severity] })
    if (vulnerability.score !== undefined) rating.score = vulnerability.score
    model.ratings.add(rating)
    for (const ref of vulnerability.refs) {
      const component = byRef.get(ref)
      if (component !== undefined) model.affects.add(new Models.Vulnerability.Affect(component.bomRef))
    }
    bom.vulnerabilities.add(model)
  }
}

/** The BOM as CycloneDX 1.6 JSON text. */
export function serializeCycloneDx(bom: Models.Bom): string {
  const serializer = new Serialize.JsonSerializer(new Serialize.JSON.Normalize.Factory(Spec.Spec1dot6))
  return `${serializer.serialize(bom, { sortLists: false, space: 2 })}\n`
}
