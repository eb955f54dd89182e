/**
 * The whiteout cost case of `npm run bench`: `collectFinalFiles` over an image whose second layer holds
 * one opaque whiteout per directory the first layer filled. The overlay walk must stay linear in the
 * number of whiteouts (a scan of every tracked path per whiteout made 80,000 of them take 72 s), so the
 * figure is the growth of the time per whiteout from the smallest to the largest size: about 1× when
 * linear, about the size ratio when quadratic. A ratio, measured in one run — never a timed test.
 */
import { performance } from 'node:perf_hooks'
import { collectFinalFiles } from '../../src/target/filesystem.js'
import { fakeImage, type FakeEntry } from '../../__tests__/helpers/fake-image.js'
import { median } from './bench-measure.js'

export interface WhiteoutFigure {
  whiteouts: number
  medianMs: number
}

async function timeWhiteouts(count: number): Promise<number> {
  const files: FakeEntry[] = []
  const whiteouts: FakeEntry[] = []
  for (let i = 0; i < count; i++) {
    files.push({ path: `srv/d${i}/tool`, content: 'x' })
    whiteouts.push({ path: `srv/d${i}`, whiteout: 'opaque' })
  }
  const image = fakeImage({ layers: [{ entries: files }, { entries: whiteouts }] })
  const started = performance.now()
  const final = await collectFinalFiles(image, { select: (header) => header.type === 'file' })
  const elapsed = performance.now() - started
  if (final.size !== 0)
    throw new Error(`whiteout bench: ${final.size} files survived ${count} opaque whiteouts`)
  return elapsed
}

export async function measureWhiteouts(
  sizes: readonly number[],
  repetitions: number,
): Promise<WhiteoutFigure[]> {
  const figures: WhiteoutFigure[] = []
  for (const whiteouts of sizes) {
    const times: number[] = []
    for (let i = 0; i < repetitions; i++) times.push(await timeWhiteouts(whiteouts))
    figures.push({ whiteouts, medianMs: median(times) })
  }
  return figures
}

export function formatWhiteouts(figures: readonly WhiteoutFigure[]): string {
  const first = figures[0]
  const last = figures.at(-1)
  if (first === undefined || last === undefined) return 'whiteouts: not measured'
  const perItem = (f: WhiteoutFigure): number => f.medianMs / f.whiteouts
  const growth = perItem(last) / perItem(first)
  const sizeRatio = last.whiteouts / first.whiteouts
  const rows = figures.map((f) => `${f.whiteouts} → ${f.medianMs.toFixed(0)} ms`).join(', ')
  // Linear keeps the time per whiteout flat; quadratic multiplies it by the size ratio.
  const verdict = growth < Math.sqrt(sizeRatio) ? 'linear: met' : 'NOT linear'
  return `opaque whiteouts (collectFinalFiles, median): ${rows}; time per whiteout ×${growth.toFixed(2)} from ${first.whiteouts} to ${last.whiteouts} (quadratic would be ×${sizeRatio}) — ${verdict}`
}
