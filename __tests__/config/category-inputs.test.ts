/** The `category` and `matrix` inputs (issue #11): parsed in buildConfig, errors name the input. */
import { describe, expect, it } from '@jest/globals'
import { buildConfig, type ConfigEnvironment } from '../../src/config/config.js'
import type { Inputs } from '../../src/config/inputs.js'
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

const configOf = (inputs: Partial<Inputs>) => buildConfig({ image: ['app:ci'], ...inputs }, environment)

describe('category and matrix inputs', () => {
  it.each([
    [{}, undefined, undefined],
    [{ matrix: 'null' }, undefined, undefined],
    [{ matrix: '' }, undefined, undefined],
    [{ matrix: '{"os":"linux","node":20}' }, undefined, { os: 'linux', node: 20 }],
    [{ category: ' /web-app/ ' }, 'web-app', undefined],
  ])('%j → category %j, matrix %j', (inputs, category, matrix) => {
    const config = configOf(inputs)
    expect(config.category).toBe(category)
    expect(config.matrix).toEqual(matrix)
  })

  it.each([
    [{ matrix: '${{ toJson(matrix) }' }, /input matrix: not JSON/],
    [{ matrix: '["a"]' }, /input matrix: not a JSON object/],
    [{ category: 'two words' }, /input category: .*printable characters without spaces/],
  ])('%j is a ConfigurationError naming the input', (inputs, message) => {
    expect(() => configOf(inputs)).toThrow(ConfigurationError)
    expect(() => configOf(inputs)).toThrow(message)
  })
})
