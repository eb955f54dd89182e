/** The final image's base image through its chain of stages, and the FROM line it names. */
import { describe, expect, it } from '@jest/globals'
import { baseImageOf, baseImageStage, sameLine } from '../../src/findings/base-image.js'
import { parseDockerfile, type DockerfileModel } from '../../src/findings/dockerfile.js'

describe('baseImageOf', () => {
  it.each<[string, string, { image: string; line: number } | undefined]>([
    ['one stage', 'FROM alpine:3.19\nRUN true', { image: 'alpine:3.19', line: 1 }],
    [
      'the first stage of the final chain',
      'FROM golang AS build\nFROM debian AS base\nFROM base\nCOPY --from=build /a /a',
      { image: 'debian', line: 2 },
    ],
    ['a chain from scratch', 'FROM scratch AS root\nFROM root', undefined],
    ['scratch in capitals', 'FROM SCRATCH', undefined],
    ['an empty Dockerfile', '', undefined],
  ])('%s', (_name, dockerfile, expected) => {
    const base = baseImageOf(parseDockerfile(dockerfile, 'Dockerfile'))
    expect(base && { image: base.image, line: base.location.startLine }).toEqual(expected)
  })

  it('gives up on a cycle of stages instead of looping', () => {
    const model = parseDockerfile('FROM alpine AS a\nFROM a AS b', 'Dockerfile')
    const [first, second] = model.stages
    if (first === undefined || second === undefined) throw new Error('two stages expected')
    const cyclic: DockerfileModel = { ...model, stages: [{ ...first, baseStage: 1 }, second] }
    expect(baseImageStage(cyclic)).toBeUndefined()
    expect(baseImageStage(model)?.index).toBe(0)
  })
})

describe('sameLine', () => {
  const a = { path: 'Dockerfile', startLine: 3 }
  it.each<[string, { path: string; startLine: number } | undefined, boolean]>([
    ['the same line', { path: 'Dockerfile', startLine: 3 }, true],
    ['another line', { path: 'Dockerfile', startLine: 4 }, false],
    ['another file', { path: 'build/Dockerfile', startLine: 3 }, false],
    ['no location', undefined, false],
  ])('%s', (_name, b, expected) => {
    expect(sameLine(a, b)).toBe(expected)
  })
})
