/**
 * Package URLs (github.com/package-url/purl-spec) against findings and images, as VEX statements use
 * them: parsing, package matching with and without a scanner purl, and `pkg:oci` image matching. Expected
 * answers written out.
 */
import { describe, expect, it } from '@jest/globals'
import type { Finding, PackageRef } from '../../src/findings/finding.js'
import { ociMatchesImage, parsePurl, purlMatchesPackage, type Purl } from '../../src/policy/purl-match.js'
import { bareFinding } from '../helpers/gate-result-fixtures.js'

function withPackage(pkg: PackageRef | undefined): Finding {
  return bareFinding(pkg ? { package: pkg } : {})
}

describe('parsePurl', () => {
  it.each<[string, Purl | undefined]>([
    [
      'pkg:apk/alpine/libssl3@3.1.2-r0?arch=x86_64&distro=alpine-3.18',
      {
        type: 'apk',
        namespace: 'alpine',
        name: 'libssl3',
        version: '3.1.2-r0',
        qualifiers: { arch: 'x86_64', distro: 'alpine-3.18' },
      },
    ],
    ['pkg:npm/left-pad', { type: 'npm', name: 'left-pad' }],
    ['pkg:npm/%40scope/pkg@1.0.0', { type: 'npm', namespace: '@scope', name: 'pkg', version: '1.0.0' }],
    [
      'pkg:oci/app?repository_url=ghcr.io/acme/app',
      { type: 'oci', name: 'app', qualifiers: { repository_url: 'ghcr.io/acme/app' } },
    ],
    ['libssl3', undefined],
    ['PKG:npm/x', undefined],
    ['pkg:', undefined],
    ['pkg:npm', undefined],
  ])('%j', (text, purl) => {
    expect(parsePurl(text)).toStrictEqual(purl)
  })
})

describe('purlMatchesPackage', () => {
  const apk: PackageRef = {
    name: 'libssl3',
    version: '3.1.2-r0',
    type: 'apk',
    purl: 'pkg:apk/alpine/libssl3@3.1.2-r0?arch=x86_64',
  }
  const wanted = (text: string): Purl => parsePurl(text)!

  it.each<[string, string, PackageRef | undefined, boolean]>([
    ['the same purl', 'pkg:apk/alpine/libssl3@3.1.2-r0', apk, true],
    ['no version: any version', 'pkg:apk/alpine/libssl3', apk, true],
    ['another version', 'pkg:apk/alpine/libssl3@3.1.3-r0', apk, false],
    ['another name', 'pkg:apk/alpine/libcrypto3@3.1.2-r0', apk, false],
    ['another namespace', 'pkg:apk/wolfi/libssl3@3.1.2-r0', apk, false],
    ['a namespace in other case', 'pkg:apk/Alpine/libssl3@3.1.2-r0', apk, true],
    ['a name in other case', 'pkg:apk/alpine/LibSSL3@3.1.2-r0', apk, true],
    ['another type', 'pkg:deb/alpine/libssl3@3.1.2-r0', apk, false],
    ['an agreeing qualifier', 'pkg:apk/alpine/libssl3@3.1.2-r0?arch=x86_64', apk, true],
    ['a conflicting qualifier', 'pkg:apk/alpine/libssl3@3.1.2-r0?arch=aarch64', apk, false],
    [
      'a qualifier the scanner does not give',
      'pkg:apk/alpine/libssl3@3.1.2-r0?distro=alpine-3.18',
      apk,
      true,
    ],
    [
      'qualifiers against a purl without any',
      'pkg:apk/alpine/libssl3@3.1.2-r0?arch=aarch64',
      { ...apk, purl: 'pkg:apk/alpine/libssl3@3.1.2-r0' },
      true,
    ],
    [
      'a scanner purl without version: the package version',
      'pkg:apk/alpine/libssl3@3.1.2-r0',
      { ...apk, purl: 'pkg:apk/alpine/libssl3' },
      true,
    ],
    [
      'a scanner purl without version, another package version',
      'pkg:apk/alpine/libssl3@3.1.2-r0',
      { ...apk, version: '9', purl: 'pkg:apk/alpine/libssl3' },
      false,
    ],
    [
      'a zero epoch on one side',
      'pkg:deb/debian/openssl@0:3.0.11-1',
      { name: 'openssl', version: '3.0.11-1', type: 'deb', purl: 'pkg:deb/debian/openssl@3.0.11-1' },
      true,
    ],
    [
      'pypi name spellings',
      'pkg:pypi/zope-interface@6.0',
      { name: 'zope.interface', version: '6.0', type: 'python-pkg', purl: 'pkg:pypi/zope.interface@6.0' },
      true,
    ],
    ['no package', 'pkg:apk/alpine/libssl3', undefined, false],
    // Without a scanner purl: family, name (with or without the namespace) and version.
    [
      'a package record',
      'pkg:apk/alpine/libssl3@3.1.2-r0',
      { name: 'libssl3', version: '3.1.2-r0', type: 'apk' },
      true,
    ],
    [
      'a package record of another family',
      'pkg:deb/alpine/libssl3@3.1.2-r0',
      { name: 'libssl3', version: '3.1.2-r0', type: 'apk' },
      false,
    ],
    [
      'a package record of another version',
      'pkg:apk/alpine/libssl3@3.1.3-r0',
      { name: 'libssl3', version: '3.1.2-r0', type: 'apk' },
      false,
    ],
    [
      'a package record, no version wanted',
      'pkg:apk/alpine/libssl3',
      { name: 'libssl3', version: '3.1.2-r0', type: 'apk' },
      true,
    ],
    [
      'a package record of another name',
      'pkg:apk/alpine/libssl',
      { name: 'libssl3', version: '3.1.2-r0', type: 'apk' },
      false,
    ],
    [
      'a scoped npm package record',
      'pkg:npm/%40scope/pkg@1.0.0',
      { name: '@scope/pkg', version: '1.0.0', type: 'npm' },
      true,
    ],
    [
      'a go module record',
      'pkg:golang/github.com/acme/lib@v1.2.3',
      { name: 'github.com/acme/lib', version: '1.2.3', type: 'gomod' },
      true,
    ],
    [
      'an unparseable scanner purl: the record',
      'pkg:apk/alpine/libssl3@3.1.2-r0',
      { name: 'libssl3', version: '3.1.2-r0', type: 'apk', purl: 'not a purl' },
      true,
    ],
  ])('%s', (_name, text, pkg, expected) => {
    expect(purlMatchesPackage(wanted(text), withPackage(pkg))).toBe(expected)
  })
})

describe('ociMatchesImage', () => {
  const oci = (name: string, repositoryUrl?: string): Purl =>
    repositoryUrl === undefined
      ? { type: 'oci', name }
      : { type: 'oci', name, qualifiers: { repository_url: repositoryUrl } }

  it.each<[Purl, string, boolean]>([
    [oci('app'), 'ghcr.io/acme/app:1', true],
    [oci('App'), 'GHCR.io/acme/APP:1', true],
    [oci('other'), 'ghcr.io/acme/app:1', false],
    [oci('app', 'ghcr.io/acme/app'), 'ghcr.io/acme/app:1', true],
    [oci('app', 'ghcr.io/other/app'), 'ghcr.io/acme/app:1', false],
    [oci('app', 'ghcr.io/acme/app'), 'ghcr.io/acme/app@sha256:abc', true],
    [oci('app', 'ghcr.io/acme/app'), 'ghcr.io/acme/app:1@sha256:abc', true],
    [oci('alpine', 'docker.io/library/alpine'), 'alpine:3.19', true],
    [oci('alpine', 'index.docker.io/library/alpine'), 'alpine', true],
    [oci('app', 'docker.io/acme/app'), 'acme/app:1', true],
    [oci('app', 'ghcr.io/acme/app'), 'app:1', true],
    [oci('app', 'ghcr.io/acme/app'), 'other/app:1', false],
    [oci('app', 'localhost:5000/app'), 'localhost:5000/app', true],
    [oci('app'), 'localhost:5000/app', true],
    [oci('other'), './app.tar', true],
    [oci('other'), '../app.tar', true],
    [oci('other'), '/abs/layout', true],
    [oci('other'), 'docker-archive:app.tar', true],
    [oci('other'), 'OCI-ARCHIVE:app', true],
    [oci('other'), 'oci:layout', true],
    [oci('other'), 'app.tar.gz', true],
    [oci('other'), 'app.tgz', true],
    [oci('other'), 'app.TAR', true],
    [oci('other'), 'app.tarx', false],
  ])('%j names %j: %s', (purl, target, expected) => {
    expect(ociMatchesImage(purl, target)).toBe(expected)
  })
})
