/**
 * Every input behaves as its row's `kind` says, in the action, the CLI and validation alike: a new row
 * is covered by these tables without a test of its own.
 */
import { describe, expect, it } from '@jest/globals'
import { readActionInputs } from '../../src/config/action-inputs.js'
import { buildConfig, type ConfigEnvironment } from '../../src/config/config.js'
import { parseCommandLine } from '../../src/config/flags.js'
import { INPUT_DEFINITIONS, type InputKind, type Inputs } from '../../src/config/inputs.js'

const environment: ConfigEnvironment = {
  workspace: '/repo',
  tempDir: '/runner/temp',
  exists: () => false,
  readFile: (path) => {
    throw new Error(`ENOENT: ${path}`)
  },
  defaultOutputs: 'temp-dir',
}

const base: Inputs = { image: ['app:ci'] }
const rows = (kind: InputKind) => INPUT_DEFINITIONS.filter((d) => d.kind === kind).map((d) => [d.name])
const flagged = (kind: InputKind) =>
  INPUT_DEFINITIONS.flatMap((d) => (d.kind === kind && 'flag' in d ? [[d.name, d.flag] as const] : []))

describe('the input table', () => {
  it('has the kinds the code reads', () => {
    expect(Object.fromEntries(INPUT_DEFINITIONS.map((d) => [d.name, d.kind]))).toMatchObject({
      image: 'lines',
      reports: 'lines',
      scanners: 'list',
      'only-fixed': 'boolean',
      comment: 'boolean',
      'wait-for-processing': 'boolean',
      'continue-on-scanner-error': 'boolean',
      'scan-timeout': 'duration',
      upload: 'choice',
      'sarif-runs': 'choice',
      'gate-on': 'choice',
      'trivy-version': 'version',
    })
  })

  it('gives choices exactly to the choice inputs', () => {
    const withChoices = INPUT_DEFINITIONS.filter((d) => 'choices' in d).map((d) => d.name)
    expect(withChoices).toEqual(['kev', 'gate-on', 'upload', 'sarif-runs', 'sbom-format'])
    expect(rows('choice').flat()).toEqual(withChoices)
  })

  it('has defaults that validate: the action with every input at its default builds a config', () => {
    // The runner evaluates expression defaults before the action reads them: outside a matrix job
    // `${{ toJson(matrix) }}` is `null`, and `${{ github.token }}` a token.
    const evaluated: Record<string, string> = {
      '${{ toJson(matrix) }}': 'null',
      '${{ github.token }}': 'ghs_x',
    }
    const inputs = readActionInputs((name) => {
      const d = INPUT_DEFINITIONS.find((row) => row.name === name)
      const text = name === 'image' ? 'app:ci' : d !== undefined && 'default' in d ? d.default : ''
      return evaluated[text] ?? text
    })
    expect(() => buildConfig(inputs, environment)).not.toThrow()
  })
})

describe('boolean inputs', () => {
  it.each(rows('boolean'))('%s accepts TRUE/false and refuses "yes"', (name) => {
    expect(() => buildConfig({ ...base, [name]: 'TRUE' }, environment)).not.toThrow()
    expect(() => buildConfig({ ...base, [name]: 'false' }, environment)).not.toThrow()
    expect(() => buildConfig({ ...base, [name]: 'yes' }, environment)).toThrow(
      new RegExp(`^input ${name}: "yes" is not true or false$`),
    )
  })

  it.each(flagged('boolean'))('%s is the CLI switch %s', (name, flag) => {
    expect(parseCommandLine(['scan', 'x', flag])).toMatchObject({
      options: { inputs: { [name]: 'true' } },
    })
  })
})

describe('duration inputs', () => {
  it.each(rows('duration'))('%s refuses "soon"', (name) => {
    expect(() => buildConfig({ ...base, [name]: 'soon' }, environment)).toThrow(
      new RegExp(`^input ${name}: "soon" is not a duration`),
    )
  })
})

describe('choice inputs', () => {
  it.each(rows('choice'))('%s refuses a value outside its choices, naming the input', (name) => {
    expect(() => buildConfig({ ...base, [name]: 'bogus' }, environment)).toThrow(
      new RegExp(`^input ${name}: "bogus" is not `),
    )
  })
})

describe('version inputs', () => {
  it.each(flagged('version'))(
    '%s is refused when not a version, and is a CLI install flag %s',
    (name, flag) => {
      expect(() => buildConfig({ ...base, [name]: 'newest' }, environment)).toThrow(
        new RegExp(`^input ${name}: "newest" is not a version`),
      )
      expect(parseCommandLine(['install', '--dry-run', '--scanners', 'trivy', flag, '1.2.3'])).toMatchObject({
        options: { versions: { [name.replace(/-version$/, '')]: '1.2.3' } },
      })
    },
  )
})

describe('list inputs', () => {
  it.each(rows('list'))('%s splits on commas and lines in the action', (name) => {
    expect(readActionInputs((n) => (n === name ? 'a, b\nc' : ''))).toEqual({ [name]: ['a', 'b', 'c'] })
  })

  it.each(rows('lines'))('%s splits on lines only in the action', (name) => {
    expect(readActionInputs((n) => (n === name ? 'a,b\nc' : ''))).toEqual({ [name]: ['a,b', 'c'] })
  })

  it.each(flagged('list'))('%s takes a repeated CLI flag %s, with commas', (name, flag) => {
    expect(parseCommandLine(['scan', 'x', flag, 'a,b', flag, 'c'])).toMatchObject({
      options: { inputs: { [name]: ['a', 'b', 'c'] } },
    })
  })

  it.each(flagged('lines'))('%s takes a repeated CLI flag %s, one item each', (name, flag) => {
    expect(parseCommandLine(['scan', 'x', flag, 'a,b', flag, 'c'])).toMatchObject({
      options: { inputs: { [name]: ['a,b', 'c'] } },
    })
  })
})
