import { describe, expect, it } from '@jest/globals'
import type { Config } from '../../src/config/config.js'
import { readInventories } from '../../src/stages/inventory.js'
import { RecordingLogger } from '../helpers/recording-logger.js'
import { fakeImage } from '../helpers/fake-image.js'

function config(overrides: Partial<Config>): Config {
  return { sbomFormat: 'cyclonedx-json', dependencySnapshot: false, ...overrides } as Config
}

function target() {
  const image = fakeImage({
    layers: [
      { entries: [{ path: 'app/node_modules/a/package.json', content: '{"name":"a","version":"1.0.0"}' }] },
    ],
  })
  return { name: 'app:ci', image, repository: 'app' }
}

describe('readInventories', () => {
  it('does not walk the layers when neither an SBOM nor a snapshot is asked for', async () => {
    const t = target()
    expect(await readInventories([t], config({}), { logger: new RecordingLogger() })).toEqual([])
    expect(t.image.walks).toEqual([0])
  })

  it.each([{ sbomFile: '/out/sbom.json' }, { dependencySnapshot: true }])(
    'reads each image once when asked (%o)',
    async (asked) => {
      const t = target()
      const logger = new RecordingLogger()
      const inventories = await readInventories([t], config(asked), { logger })
      expect(inventories.map((i) => [i.target, i.packages.map((p) => p.purl)])).toEqual([
        ['app:ci', ['pkg:npm/a@1.0.0']],
      ])
      expect(t.image.walks).toEqual([1])
      expect(logger.messages('info')[0]).toMatch(/^Inventory of app:ci: 1 package\(s\) in \d+ ms\.$/)
    },
  )
})
