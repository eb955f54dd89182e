/**
 * The README's limits section states every cap with the number the code uses: each row pins the constant
 * (literally) and the words the README must say, so changing one without the other fails here.
 */
import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { GITHUB_SARIF_LIMITS, GITHUB_SHOWN_RESULTS_PER_RUN } from '../src/report/sarif-limits.js'
import { MAX_CHECK_CONTENT_BYTES } from '../src/scanners/builtin/check.js'
import { MAX_REPORT_BYTES } from '../src/scanners/run-scanner.js'
import { MAX_ARCHIVE_EXPANSION_RATIO, MIN_MAX_ARCHIVE_EXPANDED_BYTES } from '../src/target/archive-gzip.js'
import { DEFAULT_MAX_ENTRIES } from '../src/target/archive-index.js'
import { MAX_JSON_BYTES } from '../src/target/image-layout.js'
import { MAX_LAYER_EXPANSION_RATIO, MIN_MAX_LAYER_EXPANDED_BYTES } from '../src/target/layer-stream.js'
import { INPUT_DEFINITIONS } from '../src/config/inputs.js'
import { MAX_CONFIG_FILE_BYTES } from '../src/util/read-config-file.js'

const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
const limits = readme.slice(readme.indexOf('### Limits'), readme.indexOf('## Develop')).replace(/\s+/g, ' ')

describe('README limits section', () => {
  it.each([
    ['content read per file', MAX_CHECK_CONTENT_BYTES, 65_536, 'at most 64 KiB of a candidate file'],
    [
      'layer expansion ratio',
      MAX_LAYER_EXPANSION_RATIO,
      100,
      'expands past 100× its blob size, and past 4 GiB',
    ],
    ['layer expansion floor', MIN_MAX_LAYER_EXPANDED_BYTES, 4 * 1024 ** 3, 'and past 4 GiB'],
    ['archive expansion ratio', MAX_ARCHIVE_EXPANSION_RATIO, 100, 'at most 100× its size and at least 1 GiB'],
    ['archive expansion floor', MIN_MAX_ARCHIVE_EXPANDED_BYTES, 1024 ** 3, 'at least 1 GiB'],
    ['archive entries', DEFAULT_MAX_ENTRIES, 200_000, 'at most 200,000 tar entries'],
    ['image JSON documents', MAX_JSON_BYTES, 16 * 1024 ** 2, '(manifest, config, index) at most 16 MiB'],
    ['configuration files', MAX_CONFIG_FILE_BYTES, 64 * 1024 ** 2, 'regular files of at most 64 MiB'],
    ['scanner reports', MAX_REPORT_BYTES, 448 * 1024 ** 2, 'read up to 448 MiB'],
    ['SARIF runs', GITHUB_SARIF_LIMITS.maxRuns, 20, 'at most 20 runs'],
    ['SARIF results per run', GITHUB_SARIF_LIMITS.maxResultsPerRun, 25_000, '25,000 results per run'],
    ['SARIF gzipped size', GITHUB_SARIF_LIMITS.maxGzipBytes, 10 * 1024 ** 2, '10 MB gzipped'],
    ['results shown per run', GITHUB_SHOWN_RESULTS_PER_RUN, 5_000, 'the 5,000 per run code scanning shows'],
  ])('states the %s', (_what, constant, value, words) => {
    expect(constant).toBe(value)
    expect(limits).toContain(words)
  })

  it('states the scan timeout, which the builtin scanner honours, with its default', () => {
    expect(INPUT_DEFINITIONS.find((input) => input.name === 'scan-timeout')?.default).toBe('10m')
    expect(limits).toContain('every scanner run, `builtin` included, stops at `scan-timeout` (default 10m)')
  })
})
