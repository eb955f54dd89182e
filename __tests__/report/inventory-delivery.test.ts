import { afterEach, describe, expect, it } from '@jest/globals'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Config } from '../../src/config/config.js'
import { deliverInventory } from '../../src/report/inventory-delivery.js'
import { readGitHubContext } from '../../src/report/github-context.js'
import { RecordingLogger } from '../helpers/recording-logger.js'
import { gateResult, imageResult } from '../helpers/gate-result-fixtures.js'

describe('deliverInventory', () => {
  let dir = ''
  afterEach(async () => {
    if (dir !== '') await rm(dir, { recursive: true, force: true })
    dir = ''
  })

  it('writes the SBOM and puts what the readers could not read in the summary notes', async () => {
    dir = await mkdtemp(join(tmpdir(), 'csg-delivery-'))
    const sbomFile = join(dir, 'sub', 'sbom.json')
    const result = gateResult([imageResult({ target: 'app:ci' })])
    result.inventories = [
      {
        target: 'app:ci',
        packages: [],
        packagesPerLayer: [0],
        notes: ['n1', 'n2', 'n3', 'n4', 'n5'],
      },
    ]
    const config = { sbomFile, sbomFormat: 'spdx-json', dependencySnapshot: false } as Config
    const delivery = await deliverInventory({
      config,
      result,
      context: readGitHubContext({}, () => undefined),
      logger: new RecordingLogger(),
    })
    expect(delivery).toEqual({
      sbomFile,
      notes: [
        'Inventory of app:ci: n1',
        'Inventory of app:ci: n2',
        'Inventory of app:ci: n3',
        'Inventory of app:ci: 2 more note(s) in the log.',
      ],
    })
    const doc = JSON.parse(await readFile(sbomFile, 'utf8')) as { spdxVersion: string; name: string }
    expect([doc.spdxVersion, doc.name]).toEqual(['SPDX-2.3', 'app:ci'])
  })
})
