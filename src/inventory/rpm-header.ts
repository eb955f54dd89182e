/**
 * An rpm package header as rpm stores it in its database (the "header blob", without the lead and the
 * 8-byte header magic of a package file): `il` and `dl` (big-endian uint32: index entries, data bytes),
 * `il` index entries of four big-endian int32 `{tag, type, offset, count}`, then `dl` bytes of data that
 * the offsets point into (rpm lib/header.c hdrblobInit at rpm-4.19.1-release; entry types and tag numbers
 * from include/rpm/rpmtag.h). Only the string and int32 tags the inventory needs are read; a tag present
 * twice (a "dribble" after the immutable region) takes its last value, as rpm's headerImport does.
 */

export const RPMTAG = {
  NAME: 1000,
  VERSION: 1001,
  RELEASE: 1002,
  EPOCH: 1003,
  LICENSE: 1014,
  ARCH: 1022,
  SOURCERPM: 1044,
} as const

const RPM_INT32_TYPE = 4
const RPM_STRING_TYPE = 6
const RPM_I18NSTRING_TYPE = 9
const ENTRY_BYTES = 16

export interface RpmHeaderFields {
  name?: string
  version?: string
  release?: string
  epoch?: number
  license?: string
  arch?: string
  sourceRpm?: string
}

export function parseRpmHeader(blob: Buffer): RpmHeaderFields {
  if (blob.length < 8) throw new Error('rpm header shorter than 8 bytes')
  const il = blob.readUInt32BE(0)
  const dl = blob.readUInt32BE(4)
  const dataStart = 8 + il * ENTRY_BYTES
  if (il > 0xffff || dataStart + dl > blob.length) {
    throw new Error(`rpm header lengths do not fit (il ${il}, dl ${dl}, ${blob.length} bytes)`)
  }
  const data = blob.subarray(dataStart, dataStart + dl)
  const strings = new Map<number, string>()
  const ints = new Map<number, number>()
  for (let i = 0; i < il; i++) {
    const at = 8 + i * ENTRY_BYTES
    const tag = blob.readInt32BE(at)
    const type = blob.readUInt32BE(at + 4)
    const offset = blob.readInt32BE(at + 8)
    if (offset < 0 || offset >= data.length) continue
    if (type === RPM_STRING_TYPE || type === RPM_I18NSTRING_TYPE) {
      const end = data.indexOf(0, offset)
      if (end >= 0) strings.set(tag, data.toString('utf8', offset, end))
    } else if (type === RPM_INT32_TYPE && offset + 4 <= data.length) {
      ints.set(tag, data.readUInt32BE(offset))
    }
  }
  const fields: RpmHeaderFields = {}
  const put = (key: keyof Omit<RpmHeaderFields, 'epoch'>, tag: number): void => {
    const value = strings.get(tag)
    if (value !== undefined) fields[key] = value
  }
  put('name', RPMTAG.NAME)
  put('version', RPMTAG.VERSION)
  put('release', RPMTAG.RELEASE)
  put('license', RPMTAG.LICENSE)
  put('arch', RPMTAG.ARCH)
  put('sourceRpm', RPMTAG.SOURCERPM)
  const epoch = ints.get(RPMTAG.EPOCH)
  if (epoch !== undefined) fields.epoch = epoch
  return fields
}
