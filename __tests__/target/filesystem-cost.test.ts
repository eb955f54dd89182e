import { describe, it, expect } from '@jest/globals'
import { collectFinalFiles } from '../../src/target/filesystem.js'
import { fakeImage, type FakeEntry } from '../helpers/fake-image.js'

describe('collectFinalFiles cost', () => {
  it('applies 20,000 opaque whiteouts over 20,000 tracked files in seconds at most (not quadratic)', async () => {
    const files: FakeEntry[] = []
    const whiteouts: FakeEntry[] = []
    for (let i = 0; i < 20_000; i++) {
      files.push({ path: `srv/d${i}/tool`, mode: 0o4755, content: 'x' })
      whiteouts.push({ path: `srv/d${i}`, whiteout: 'opaque' })
    }
    const image = fakeImage({ layers: [{ entries: files }, { entries: whiteouts }] })
    const removed: string[] = []
    const started = Date.now()
    const final = await collectFinalFiles(image, {
      select: (h) => h.type === 'file',
      onRemoved: (r) => removed.push(r.entry.path),
    })
    expect(Date.now() - started).toBeLessThan(5_000)
    expect(final.size).toBe(0)
    expect(removed).toHaveLength(20_000)
    expect(removed[19_999]).toBe('srv/d19999/tool')
  })
})
