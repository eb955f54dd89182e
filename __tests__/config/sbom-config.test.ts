import { describe, expect, it } from '@jest/globals'
import { buildConfig, type ConfigEnvironment } from '../../src/config/config.js'
import { parseCommandLine } from '../../src/config/flags.js'
import { ConfigurationError } from '../../src/util/errors.js'

const environment: ConfigEnvironment = {
  workspace: '/repo',
  tempDir: '/runner/temp',
  exists: () => false,
  readFile: () => {
    throw new Error('ENOENT')
  },
  defaultOutputs: 'temp-dir',
}

describe('SBOM and dependency snapshot inputs', () => {
  it('write no SBOM and submit no snapshot by default', () => {
    const config = buildConfig({ image: ['app:ci'] }, environment)
    expect(config.sbomFile).toBeUndefined()
    expect(config.sbomFormat).toBe('cyclonedx-json')
    expect(config.dependencySnapshot).toBe(false)
  })

  it('resolve sbom-file against the workspace and accept both formats', () => {
    const config = buildConfig(
      {
        image: ['app:ci'],
        'sbom-file': 'out/sbom.json',
        'sbom-format': 'SPDX-JSON',
        'dependency-snapshot': 'true',
      },
      environment,
    )
    expect(config.sbomFile).toBe('/repo/out/sbom.json')
    expect(config.sbomFormat).toBe('spdx-json')
    expect(config.dependencySnapshot).toBe(true)
  })

  it('reject an unknown format, naming the input and the accepted values', () => {
    expect(() => buildConfig({ image: ['app:ci'], 'sbom-format': 'syft-json' }, environment)).toThrow(
      new ConfigurationError('input sbom-format: "syft-json" is not cyclonedx-json or spdx-json'),
    )
  })

  it('come from --sbom and --sbom-format on the command line', () => {
    expect(
      parseCommandLine(['scan', 'app.tar', '--sbom', 'sbom.json', '--sbom-format', 'spdx-json']),
    ).toEqual({
      command: 'scan',
      options: {
        inputs: { image: ['app.tar'], 'sbom-file': 'sbom.json', 'sbom-format': 'spdx-json' },
        format: 'table',
        color: true,
        verbose: false,
      },
    })
  })
})
