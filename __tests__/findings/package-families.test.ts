/**
 * Every scanner word for a package type and the ecosystem family it joins (the table merging relies on:
 * a word moved to another family splits one vulnerability into two findings, or joins two packages), and
 * the name, version and path spellings each family tolerates.
 */
import { describe, expect, it } from '@jest/globals'
import {
  normalizePackageName,
  normalizePackagePath,
  normalizePackageVersion,
  packageFamily,
  packageVersionKey,
  trimTrailingSlashes,
} from '../../src/findings/package-identity.js'

const FAMILIES: Record<string, string[]> = {
  apk: ['apk', 'apkg', 'alpine', 'wolfi', 'chainguard', 'minimos', 'alpaquita'],
  deb: ['deb', 'dpkg', 'debian', 'ubuntu', 'echo'],
  rpm: [
    'rpm',
    'redhat',
    'red hat',
    'rhel',
    'centos',
    'centos-stream',
    'rocky',
    'rocky linux',
    'alma',
    'almalinux',
    'alma linux',
    'amazon',
    'amazon linux',
    'oracle',
    'fedora',
    'cbl-mariner',
    'mariner',
    'azurelinux',
    'photon',
    'opensuse',
    'opensuse-leap',
    'opensuse-tumbleweed',
    'opensuse.leap',
    'opensuse.tumbleweed',
    'suse',
    'sles',
    'slem',
    'coreos',
    'mageia',
    'openeuler',
  ],
  npm: ['npm', 'node-pkg', 'yarn', 'pnpm', 'bun', 'javascript'],
  pypi: ['pypi', 'pip', 'pipenv', 'poetry', 'uv', 'pylock', 'python-pkg', 'python'],
  maven: ['maven', 'jar', 'pom', 'gradle', 'sbt', 'java-archive', 'jenkins-plugin'],
  golang: ['golang', 'go', 'gobinary', 'gomod', 'go-module', 'gomodules'],
  cargo: ['cargo', 'crates.io', 'rustbinary', 'rust-binary', 'rust-crate'],
  gem: ['gem', 'gemspec', 'bundler', 'rubygems'],
  nuget: ['nuget', 'dotnet-core', 'packages-props', 'dotnet', 'paket'],
  composer: ['composer', 'composer-vendor', 'php-composer', 'packagist'],
  conda: ['conda', 'conda-pkg', 'conda-environment'],
  pub: ['pub', 'dart-pub'],
  cocoapods: ['cocoapods', 'pod'],
  swift: ['swift', 'swifturl'],
  hex: ['hex'],
  cran: ['cran', 'r-package'],
  luarocks: ['luarocks', 'lua-rocks'],
  otp: ['otp', 'erlang-otp'],
}

describe('packageFamily', () => {
  it.each(Object.entries(FAMILIES).flatMap(([family, words]) => words.map((word) => [word, family])))(
    '%s → %s',
    (word, family) => {
      expect(packageFamily(word)).toBe(family)
      expect(packageFamily(` ${word.toUpperCase()}:release `)).toBe(family)
    },
  )
})

describe('spelling per family', () => {
  it.each<[string, string, string]>([
    ['pypi', ' Zope.Interface__Extra ', 'zope-interface-extra'],
    ['maven', 'org.apache.logging.log4j:log4j-core', 'log4j-core'],
    ['maven', 'org.apache.logging.log4j/log4j-core', 'log4j-core'],
    ['maven', 'Log4j-Core', 'log4j-core'],
    ['npm', ' @Scope/Pkg_Name ', '@scope/pkg_name'],
  ])('%s name %j → %j', (family, name, expected) => {
    expect(normalizePackageName(family, name)).toBe(expected)
  })

  it.each<[string, string, string]>([
    ['golang', 'v1.21.0', '1.21.0'],
    ['golang', 'go1.21.0', '1.21.0'],
    ['golang', 'very-1', 'very-1'],
    ['golang', 'gov1', 'gov1'],
    ['deb', '0:1.2-3', '1.2-3'],
    ['rpm', ' 0:1.2-3 ', '1.2-3'],
    ['deb', '1:1.2-3', '1:1.2-3'],
    ['deb', '10:1.2', '10:1.2'],
    ['npm', '0:1.2', '0:1.2'],
    ['npm', 'v1.2.3', 'v1.2.3'],
  ])('%s version %j → %j', (family, version, expected) => {
    expect(normalizePackageVersion(family, version)).toBe(expected)
  })

  it.each<[string, string]>([
    [
      '/usr/lib/python3/site-packages/requests-2.31.dist-info/METADATA',
      'usr/lib/python3/site-packages/requests-2.31.dist-info',
    ],
    ['usr/lib/python3/site-packages/pkg.egg-info/PKG-INFO', 'usr/lib/python3/site-packages/pkg.egg-info'],
    ['app/node_modules/semver/package.json', 'app/node_modules/semver'],
    ['x/RECORD', 'x'],
    ['x/top_level.txt', 'x'],
    ['x/package.jsonl', 'x/package.jsonl'],
    ['x/METADATA/y', 'x/METADATA/y'],
    ['app/lib/a.jar:b.jar', 'app/lib/a.jar/b.jar'],
    ['C:\\app\\lib', 'C:/app/lib'],
    ['././app//lib///', 'app/lib'],
    ['//app/lib', 'app/lib'],
    ['  /app  ', 'app'],
    ['app:/x', 'app:/x'],
  ])('path %j → %j', (path, expected) => {
    expect(normalizePackagePath(path)).toBe(expected)
  })

  it.each<[string, string]>([
    ['a/b//', 'a/b'],
    ['///', ''],
    ['a', 'a'],
    ['', ''],
  ])('trimTrailingSlashes %j → %j', (path, expected) => {
    expect(trimTrailingSlashes(path)).toBe(expected)
  })

  it('keys a package by family, name and version', () => {
    expect(packageVersionKey({ name: 'Requests_Toolbelt', version: ' 1.0 ', type: 'python-pkg' })).toBe(
      'pypi\u0000requests-toolbelt\u00001.0',
    )
    expect(packageVersionKey({ name: 'stdlib', version: 'go1.22.1', type: 'gobinary' })).toBe(
      'golang\u0000stdlib\u00001.22.1',
    )
  })
})
