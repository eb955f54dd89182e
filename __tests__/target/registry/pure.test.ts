/** The pure parts of registry pulls: references, WWW-Authenticate, platforms, config.json lookups. */
import { describe, it, expect } from '@jest/globals'
import {
  hostName,
  isLoopbackRegistry,
  parseRegistryReference,
  registryScheme,
} from '../../../src/target/registry/image-reference.js'
import { parseWwwAuthenticate } from '../../../src/target/registry/www-authenticate.js'
import {
  normalisePlatform,
  parsePlatformRequest,
  platformMatches,
  selectPlatforms,
  type ImagePlatform,
} from '../../../src/target/platform.js'
import {
  authsCredentials,
  credentialHelperFor,
  type DockerConfigFile,
} from '../../../src/target/registry/credentials.js'
import { ConfigurationError, ImageError } from '../../../src/util/errors.js'

const DIGEST = `sha256:${'b'.repeat(64)}`

describe('parseRegistryReference', () => {
  it.each([
    [
      'ghcr.io/acme/app:1.2',
      { registry: 'ghcr.io', apiHost: 'ghcr.io', repository: 'acme/app', tag: '1.2', ref: '1.2' },
    ],
    [
      '127.0.0.1:5000/app',
      {
        registry: '127.0.0.1:5000',
        apiHost: '127.0.0.1:5000',
        repository: 'app',
        tag: 'latest',
        ref: 'latest',
      },
    ],
    [
      `localhost:5000/team/sub/app@${DIGEST}`,
      {
        registry: 'localhost:5000',
        apiHost: 'localhost:5000',
        repository: 'team/sub/app',
        digest: DIGEST,
        ref: DIGEST,
      },
    ],
    [
      `reg.example:8443/a/b:v1@${DIGEST}`,
      {
        registry: 'reg.example:8443',
        apiHost: 'reg.example:8443',
        repository: 'a/b',
        tag: 'v1',
        digest: DIGEST,
        ref: DIGEST,
      },
    ],
    [
      'alpine:3.19',
      {
        registry: 'docker.io',
        apiHost: 'registry-1.docker.io',
        repository: 'library/alpine',
        tag: '3.19',
        ref: '3.19',
      },
    ],
    [
      '[::1]:5000/app:x',
      { registry: '[::1]:5000', apiHost: '[::1]:5000', repository: 'app', tag: 'x', ref: 'x' },
    ],
  ])('%s', (text, expected) => {
    expect(parseRegistryReference(text)).toEqual(expected)
  })

  it.each([
    '',
    'Ghcr.io/UPPER/app',
    'ghcr.io/app:',
    'ghcr.io//app',
    `app@sha512:${'c'.repeat(128)}`,
    'app@sha256:short',
  ])('refuses %j', (text) => {
    expect(() => parseRegistryReference(text)).toThrow(ConfigurationError)
  })
})

describe('plain HTTP only for loopback and listed registries', () => {
  it.each([
    ['127.0.0.1:5000', [], 'http'],
    ['127.9.8.7', [], 'http'],
    ['localhost:5000', [], 'http'],
    ['[::1]:5000', [], 'http'],
    ['128.0.0.1:5000', [], 'https'],
    ['localhost.evil.com', [], 'https'],
    ['ghcr.io', [], 'https'],
    ['reg.internal:5000', ['reg.internal:5000'], 'http'],
    ['reg.internal:5000', ['reg.internal'], 'http'],
    ['reg.internal:5000', ['http://reg.internal:5000/'], 'http'],
    ['reg.internal:5000', ['other.internal'], 'https'],
  ] as const)('%s with %j → %s', (registry, insecure, scheme) => {
    expect(registryScheme(registry, insecure)).toBe(scheme)
  })

  it('names hosts without ports', () => {
    expect([hostName('[::1]:5000'), hostName('Reg.Example:443'), hostName('ghcr.io')]).toEqual([
      '::1',
      'reg.example',
      'ghcr.io',
    ])
    expect(isLoopbackRegistry('127.0.0.1')).toBe(true)
    expect(isLoopbackRegistry('10.0.0.1')).toBe(false)
  })
})

describe('parseWwwAuthenticate', () => {
  it.each([
    [
      'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/alpine:pull"',
      [
        {
          scheme: 'bearer',
          params: {
            realm: 'https://auth.docker.io/token',
            service: 'registry.docker.io',
            scope: 'repository:library/alpine:pull',
          },
        },
      ],
    ],
    ['Basic realm="csg-test"', [{ scheme: 'basic', params: { realm: 'csg-test' } }]],
    ['basic realm=plain', [{ scheme: 'basic', params: { realm: 'plain' } }]],
    [
      'Bearer realm="https://ghcr.io/token", service="ghcr.io", scope="repository:a/b:pull,push"',
      [
        {
          scheme: 'bearer',
          params: { realm: 'https://ghcr.io/token', service: 'ghcr.io', scope: 'repository:a/b:pull,push' },
        },
      ],
    ],
    [
      'Negotiate abc123==, Basic realm="x", Bearer realm="https://t/x",error="insufficient_scope"',
      [
        { scheme: 'negotiate', params: {} },
        { scheme: 'basic', params: { realm: 'x' } },
        { scheme: 'bearer', params: { realm: 'https://t/x', error: 'insufficient_scope' } },
      ],
    ],
    ['Bearer realm="with \\"quote\\""', [{ scheme: 'bearer', params: { realm: 'with "quote"' } }]],
    ['', []],
    ['=', []],
  ])('%s', (header, expected) => {
    expect(parseWwwAuthenticate(header)).toEqual(expected)
  })
})

describe('platforms', () => {
  it.each([
    ['', { kind: 'default' }],
    ['all', { kind: 'all' }],
    [' ALL ', { kind: 'all' }],
    ['linux/arm64', { kind: 'list', platforms: [{ os: 'linux', architecture: 'arm64' }] }],
    ['arm64', { kind: 'list', platforms: [{ os: 'linux', architecture: 'arm64' }] }],
    [
      'linux/amd64, linux/arm/v7,linux/amd64',
      {
        kind: 'list',
        platforms: [
          { os: 'linux', architecture: 'amd64' },
          { os: 'linux', architecture: 'arm', variant: 'v7' },
        ],
      },
    ],
    ['windows/amd64', { kind: 'list', platforms: [{ os: 'windows', architecture: 'amd64' }] }],
  ])('parses %j', (text, expected) => {
    expect(parsePlatformRequest(text)).toEqual(expected)
  })

  it.each(['linux/arm/v7/x', 'all,linux/amd64', 'linux/$x', 'linux//arm64'])('refuses %j', (text) => {
    expect(() => parsePlatformRequest(text)).toThrow(ConfigurationError)
  })

  const p = (os: string, architecture: string, variant?: string): ImagePlatform =>
    variant === undefined ? { os, architecture } : { os, architecture, variant }
  it.each([
    [p('linux', 'arm64'), p('linux', 'arm64', 'v8'), true],
    [p('linux', 'arm64', 'v8'), p('linux', 'arm64'), true],
    [p('linux', 'arm'), p('linux', 'arm', 'v7'), true],
    [p('linux', 'arm'), p('linux', 'arm', 'v6'), false],
    [p('linux', 'arm', 'v6'), p('linux', 'arm', 'v6'), true],
    [p('linux', 'arm', 'v7'), p('linux', 'arm', 'v6'), false],
    [p('linux', 'amd64'), p('linux', 'amd64', 'v1'), true],
    [p('linux', 'amd64'), p('linux', 'amd64', 'v3'), false],
    [p('linux', 'amd64'), p('windows', 'amd64'), false],
    [p('linux', 'amd64'), p('linux', 'arm64'), false],
  ])('%j matches %j: %s', (wanted, candidate, expected) => {
    expect(platformMatches(wanted, candidate)).toBe(expected)
  })

  it('normalises as containerd does', () => {
    expect(normalisePlatform(p('Linux', 'ARM64'))).toEqual(p('linux', 'arm64', 'v8'))
    expect(normalisePlatform(p('linux', 'arm', '7'))).toEqual(p('linux', 'arm', 'v7'))
  })

  const index = [
    { platform: p('linux', 'amd64'), id: 'a' },
    { platform: p('linux', 'arm64', 'v8'), id: 'b' },
    { platform: p('linux', 'arm', 'v7'), id: 'c' },
  ]
  const runner = p('linux', 'amd64')
  it.each([
    [{ kind: 'default' } as const, ['a']],
    [{ kind: 'all' } as const, ['a', 'b', 'c']],
    [{ kind: 'list', platforms: [p('linux', 'arm'), p('linux', 'arm64')] } as const, ['c', 'b']],
  ])('selects %j', (request, ids) => {
    expect(selectPlatforms(index, request, { runner, description: 'x' }).map((e) => e.id)).toEqual(ids)
  })

  it('names the platforms there are when one is missing', () => {
    expect(() =>
      selectPlatforms(
        index,
        { kind: 'list', platforms: [p('linux', 's390x')] },
        { runner, description: 'reg/app@sha256:1' },
      ),
    ).toThrow(
      new ImageError(
        'reg/app@sha256:1 has no linux/s390x image (platforms: linux/amd64, linux/arm64/v8, linux/arm/v7); set the platform input to one of them or to all',
      ),
    )
    expect(() =>
      selectPlatforms(index, { kind: 'default' }, { runner: p('linux', 'ppc64le'), description: 'x' }),
    ).toThrow(/has no linux\/ppc64le image/)
  })
})

describe('Docker config.json lookups', () => {
  const auth = (text: string): string => Buffer.from(text).toString('base64')
  const config: DockerConfigFile = {
    auths: {
      'ghcr.io': { auth: auth('gh-user:gh-pass:with-colon') },
      'https://index.docker.io/v1/': { auth: auth('hub-user:hub-pass') },
      'https://reg.example:5000/v2/': { identitytoken: 'refresh-token' },
      'plain.example': { username: 'u', password: 'p' },
      'broken.example': { auth: auth('no-colon') },
      'empty.example': {},
    },
    credHelpers: { 'ecr.example': 'ecr-login' },
    credsStore: 'desktop',
  }
  it.each([
    ['ghcr.io', { username: 'gh-user', password: 'gh-pass:with-colon', source: 'cfg (auths)' }],
    ['docker.io', { username: 'hub-user', password: 'hub-pass', source: 'cfg (auths)' }],
    ['reg.example:5000', { identityToken: 'refresh-token', source: 'cfg (auths)' }],
    ['plain.example', { username: 'u', password: 'p', source: 'cfg (auths)' }],
    ['empty.example', undefined],
    ['unknown.example', undefined],
  ])('auths for %s', (registry, expected) => {
    expect(authsCredentials(config, registry, 'cfg')).toEqual(expected)
  })

  it('refuses an auth that is not user:password, without printing it', () => {
    expect(() => authsCredentials(config, 'broken.example', 'cfg')).toThrow(
      new ImageError('cfg: the auths entry for broken.example is not base64 of user:password'),
    )
  })

  it.each([
    ['ecr.example', 'ecr-login'],
    ['ghcr.io', 'desktop'],
  ])('credential helper for %s: %s', (registry, helper) => {
    expect(credentialHelperFor(config, registry)).toBe(helper)
  })

  it('has no helper without credHelpers or credsStore', () => {
    expect(credentialHelperFor({ auths: {} }, 'ghcr.io')).toBeUndefined()
    expect(credentialHelperFor({ credsStore: '' }, 'ghcr.io')).toBeUndefined()
  })
})
