import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { parse } from 'yaml'
import { actionMetadata } from '../../src/config/action-metadata.js'
import { readActionInputs } from '../../src/config/action-inputs.js'

describe('readActionInputs', () => {
  it('splits images and reports on lines only, other lists on commas and lines, and drops empty inputs', () => {
    const raw: Record<string, string> = {
      image: 'app:ci\n  ./b,c.tar  \n\n# a comment\n',
      scanners: 'builtin, trivy\ngrype',
      reports: 'trivy:a,b.json\nsarif:x.sarif',
      'fail-on': 'critical',
      dockerfile: '',
    }
    expect(readActionInputs((name) => raw[name] ?? '')).toEqual({
      image: ['app:ci', './b,c.tar'],
      scanners: ['builtin', 'trivy', 'grype'],
      reports: ['trivy:a,b.json', 'sarif:x.sarif'],
      'fail-on': 'critical',
    })
  })
})

describe('action.yml', () => {
  it('is what `npm run generate` writes from the input and output tables', () => {
    const committed = parse(readFileSync('action.yml', 'utf8'))
    expect(committed).toEqual(JSON.parse(JSON.stringify(actionMetadata())))
  })

  it('runs on node24 from dist/index.js and documents every input and output in the README', () => {
    const meta = actionMetadata()
    expect(meta.runs).toEqual({ using: 'node24', main: 'dist/index.js' })
    const readme = readFileSync('README.md', 'utf8')
    for (const name of [...Object.keys(meta.inputs), ...Object.keys(meta.outputs)])
      expect(readme).toContain(`\`${name}\``)
  })
})
