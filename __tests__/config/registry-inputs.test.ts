/** The registry and platform inputs as buildConfig reads them. */
import { describe, expect, it } from '@jest/globals'
import { buildConfig, type ConfigEnvironment } from '../../src/config/config.js'
import type { Inputs } from '../../src/config/inputs.js'
import { ConfigurationError } from '../../src/util/errors.js'

const env: ConfigEnvironment = {
  workspace: '/repo',
  tempDir: '/runner/temp',
  exists: () => false,
  readFile: () => {
    throw new Error('no file is read')
  },
  defaultOutputs: 'none',
}
const image = ['registry:ghcr.io/acme/app:1']

describe('registry and platform inputs', () => {
  it.each<[Inputs, unknown, unknown]>([
    [{ image }, { insecureRegistries: [] }, { kind: 'default' }],
    [
      { image, 'registry-username': ' bot ', 'registry-password': 'p w', platform: 'all' },
      { username: 'bot', password: 'p w', insecureRegistries: [] },
      { kind: 'all' },
    ],
    [
      {
        image,
        'registry-username': '',
        'registry-password': '',
        'insecure-registries': ['reg.lan:5000', ' '],
      },
      { insecureRegistries: ['reg.lan:5000'] },
      { kind: 'default' },
    ],
    [
      { image, platform: 'linux/arm64,linux/arm/v7' },
      { insecureRegistries: [] },
      {
        kind: 'list',
        platforms: [
          { os: 'linux', architecture: 'arm64' },
          { os: 'linux', architecture: 'arm', variant: 'v7' },
        ],
      },
    ],
  ])('%j', (inputs, registry, platforms) => {
    const config = buildConfig(inputs, env)
    expect(config.registry).toEqual(registry)
    expect(config.platforms).toEqual(platforms)
  })

  it.each<[Inputs, string]>([
    [
      { image, 'registry-username': 'bot' },
      'inputs registry-username and registry-password: set both or neither',
    ],
    [
      { image, 'registry-password': 'secret-value' },
      'inputs registry-username and registry-password: set both or neither',
    ],
    [{ image, platform: 'linux/arm64/v8/x' }, 'input platform: "linux/arm64/v8/x" is not a platform'],
  ])('refuses %j', (inputs, message) => {
    expect(() => buildConfig(inputs, env)).toThrow(ConfigurationError)
    expect(() => buildConfig(inputs, env)).toThrow(message)
  })
})
