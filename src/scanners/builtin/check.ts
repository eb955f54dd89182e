/**
 * The interface of a built-in check: one file per check under `scanners/builtin/`, each reading the image
 * metadata and, when it declares so, entries of the final filesystem. The scanner walks the layers once for
 * all checks together, so a filesystem check only says which entries it needs.
 */
import type { DockerfileModel } from '../../findings/dockerfile.js'
import type { Finding, Kind } from '../../findings/finding.js'
import type { Severity } from '../../findings/severity.js'
import type { LayerRef } from '../../findings/finding.js'
import type {
  FinalFile,
  ImageMetadata,
  LayerEntryHeader,
  LayerInfo,
  RemovedFile,
} from '../../target/image-types.js'
import { maskHistoryLine } from './history-secrets.js'

/** Content is read only for candidate files, and only this much of each. */
export const MAX_CHECK_CONTENT_BYTES = 64 * 1024

export interface CheckContext {
  /** The image as the user named it. */
  target: string
  image: ImageMetadata
  /**
   * Entries of the final filesystem (after every layer and whiteout) that this check selected, keyed by
   * normalised path (relative, no leading `/`). Empty for checks without `selects`.
   */
  files: ReadonlyMap<string, FinalFile>
  /**
   * Selected regular files a later entry removed (a whiteout, or a replacement) in the order removed: the
   * layer that added each still ships it. Empty for checks without `selects`.
   */
  removedFiles?: readonly RemovedFile[]
  /**
   * The Dockerfile the image was built from, when known: some builders record less than the Dockerfile
   * says (buildah and the classic builder write `ADD <hash> in /dst` for a remote ADD).
   */
  dockerfile?: DockerfileModel
}

/** What a check produces; the scanner adds the fields every built-in finding shares. */
export type CheckFinding = Omit<
  Finding,
  'kind' | 'ruleId' | 'aliases' | 'detectedBy' | 'target' | 'severityBySource' | 'help' | 'references'
> & {
  /** Defaults to the check's references. */
  references?: string[]
  /**
   * Secret values this finding is about. Never part of the finding: the scanner uses them to mask every
   * field of every finding, as a second line of defence behind each check's own masking.
   */
  secretValues?: string[]
}

export interface ImageCheck {
  /** Stable rule id (`csg/root-user`): part of users' ignore lists and of alert history. Never change it. */
  id: string
  /** Short name of the rule. */
  title: string
  kind: Kind
  /** The default (highest) severity of the rule; a finding may carry a lower one. */
  severity: Severity
  /** Why it matters, how to fix it (a Dockerfile snippet), and the CIS Docker Benchmark item. */
  help: { text: string; markdown: string }
  references: string[]
  /** Filesystem checks: the entries of the final filesystem this check needs. */
  selects?(header: LayerEntryHeader): boolean
  /** Filesystem checks: the selected entries whose content (first 64 KiB) this check reads. */
  wantsContent?(header: LayerEntryHeader): boolean
  /**
   * Filesystem checks: keep any small regular file (no larger than the content bound) whose first chunk
   * this accepts; it reaches `selects` with `sniffed: true`. Called once per small file: keep it cheap.
   */
  sniffsContent?(header: LayerEntryHeader, head: Buffer): boolean
  evaluate(ctx: CheckContext): CheckFinding[]
}

/** Completes a check's finding with the fields shared by every built-in finding. */
export function toFinding(check: ImageCheck, target: string, finding: CheckFinding): Finding {
  const { references, secretValues: _secretValues, ...rest } = finding
  return {
    ...rest,
    kind: check.kind,
    ruleId: check.id,
    aliases: [],
    detectedBy: ['builtin'],
    target,
    severityBySource: { builtin: { severity: finding.severity } },
    help: check.help,
    ruleTitle: check.title,
    references: references ?? check.references,
  }
}

/**
 * The layer each history entry created, when non-empty history entries line up one to one with the layers
 * (the same rule the image reader uses for `LayerInfo.createdBy`). Index: history position.
 */
export function layersByHistoryIndex(image: ImageMetadata): Map<number, LayerInfo> {
  const result = new Map<number, LayerInfo>()
  const withLayer = image.history
    .map((entry, index) => ({ entry, index }))
    .filter(({ entry }) => !entry.emptyLayer)
  if (withLayer.length !== image.layers.length) return result
  withLayer.forEach(({ index }, position) => {
    const layer = image.layers[position]
    if (layer !== undefined) result.set(index, layer)
  })
  return result
}

/** The reference of layer `index`, its `created_by` masked; undefined for an index the image does not have. */
export function layerRef(image: ImageMetadata, index: number): LayerRef | undefined {
  const layer = image.layers[index]
  if (layer === undefined) return undefined
  return layer.createdBy === undefined
    ? { diffId: layer.diffId }
    : { diffId: layer.diffId, createdBy: maskHistoryLine(layer.createdBy) }
}

/** `etc/passwd` → `/etc/passwd`: paths in findings are absolute, as users know them. */
export function absolutePath(path: string): string {
  return path.startsWith('/') ? path : `/${path}`
}

/** The basename of a normalised path. */
export function baseName(path: string): string {
  const slash = path.lastIndexOf('/')
  return slash === -1 ? path : path.slice(slash + 1)
}

/** Cuts a quoted excerpt to a bounded length (after masking, so a cut never reveals more). */
export function excerpt(text: string, maxLength = 240): string {
  const oneLine = text.replace(/\s+/g, ' ').trim()
  return oneLine.length <= maxLength ? oneLine : `${oneLine.slice(0, maxLength - 1)}…`
}
