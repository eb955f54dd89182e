/** The contract between the layer walk and the per-ecosystem readers. Types only. */
import type { PackageType } from './package.js'

/** A package as a reader finds it, before the purl (which needs the distro) and the layer are known. */
export interface FoundPackage {
  name: string
  version: string
  type: PackageType
  licenses: string[]
  arch?: string
  /** Extra purl qualifiers (rpm `epoch`, deb `upstream`). */
  qualifiers?: Record<string, string>
}

export interface ReadResult {
  packages: FoundPackage[]
  /** What could not be read in this file, for the inventory's notes. */
  notes: string[]
}

export interface PackageReader {
  /** `dpkg`, `apk`, `npm`, … (for messages). */
  id: string
  /** True for the (normalised, relative) paths this reader parses. */
  selects(path: string): boolean
  /** Files larger than this are not read (a note says so). 0 = never read the content, only note the file. */
  maxBytes: number
  read(path: string, content: Buffer): ReadResult
}
