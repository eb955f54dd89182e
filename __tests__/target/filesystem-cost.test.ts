import { describe, it, expect } from '@jest/globals'
import { collectFinalFiles } from '../../src/target/filesystem.js'
import { fakeImage, type FakeEntry } from '../helpers/fake-image.js'

// That this stays linear is measured by `npm run bench` (the time per whiteout at 10k and 80k, a ratio
// in one run): a wall-clock bound here failed CI under load without telling linear from quadratic.
describe('collectFinalFiles at scale', () => {
  it('applies 20,000 opaque whiteouts over 20,000 tracked files, each removal reported once', async () => {
    const files: FakeEntry[] = []
    const whiteouts: FakeEntry[] = []
    for (let i = 0; i < 20_000; i++) {
      files.push({ path: `srv/d${i}/tool`, mode: 0o4755, content: 'x' })
      whiteouts.push({ path: `srv/d${i}`, whiteout: 'opaque' })
    }
    files.push({ path: 'srv/kept', content: 'y' })
    const image = fakeImage({ layers: [{ entries: files }, { entries: whiteouts }] })
    const removed: string[] = []
    const final = await collectFinalFiles(image, {
      select: (h) => h.type === 'file',
      onRemoved: (r) => removed.push(r.entry.path),
    })
    expect([...final.keys()]).toEqual(['srv/kept'])
    expect(removed).toHaveLength(20_000)
    expect(new Set(removed).size).toBe(20_000)
    expect(removed[0]).toBe('srv/d0/tool')
    expect(removed[19_999]).toBe('srv/d19999/tool')
  })
})
