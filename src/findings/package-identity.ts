/**
 * What makes two scanners' package records the same package: one ecosystem family for the many words
 * scanners use for it (Trivy `alpine`/`node-pkg`/`jar`, Grype `apk`/`npm`/`java-archive`, OSV ecosystems,
 * Snyk package managers, purl types), and the name/version/path spelling each ecosystem tolerates. Pure.
 */
import type { PackageRef } from './finding.js'

/**
 * Scanner vocabularies → ecosystem family. Sources: Trivy `pkg/fanal/types/const.go` (OS and language
 * types), Syft `syft/pkg/type.go` (what Grype reports), OSV ecosystem names, Snyk package managers, purl types.
 */
const FAMILY_BY_TYPE: Readonly<Record<string, string>> = {
  // Alpine-style apk databases.
  apk: 'apk',
  apkg: 'apk',
  alpine: 'apk',
  wolfi: 'apk',
  chainguard: 'apk',
  minimos: 'apk',
  alpaquita: 'apk',
  // dpkg databases.
  deb: 'deb',
  dpkg: 'deb',
  debian: 'deb',
  ubuntu: 'deb',
  echo: 'deb',
  // rpm databases.
  rpm: 'rpm',
  redhat: 'rpm',
  'red hat': 'rpm',
  rhel: 'rpm',
  centos: 'rpm',
  'centos-stream': 'rpm',
  rocky: 'rpm',
  'rocky linux': 'rpm',
  alma: 'rpm',
  almalinux: 'rpm',
  'alma linux': 'rpm',
  amazon: 'rpm',
  'amazon linux': 'rpm',
  oracle: 'rpm',
  fedora: 'rpm',
  'cbl-mariner': 'rpm',
  mariner: 'rpm',
  azurelinux: 'rpm',
  photon: 'rpm',
  opensuse: 'rpm',
  'opensuse-leap': 'rpm',
  'opensuse-tumbleweed': 'rpm',
  'opensuse.leap': 'rpm',
  'opensuse.tumbleweed': 'rpm',
  suse: 'rpm',
  sles: 'rpm',
  slem: 'rpm',
  coreos: 'rpm',
  mageia: 'rpm',
  openeuler: 'rpm',
  // JavaScript.
  npm: 'npm',
  'node-pkg': 'npm',
  yarn: 'npm',
  pnpm: 'npm',
  bun: 'npm',
  javascript: 'npm',
  // Python.
  pypi: 'pypi',
  pip: 'pypi',
  pipenv: 'pypi',
  poetry: 'pypi',
  uv: 'pypi',
  pylock: 'pypi',
  'python-pkg': 'pypi',
  python: 'pypi',
  // Java.
  maven: 'maven',
  jar: 'maven',
  pom: 'maven',
  gradle: 'maven',
  sbt: 'maven',
  'java-archive': 'maven',
  'jenkins-plugin': 'maven',
  // Go.
  golang: 'golang',
  go: 'golang',
  gobinary: 'golang',
  gomod: 'golang',
  'go-module': 'golang',
  gomodules: 'golang',
  // Rust.
  cargo: 'cargo',
  'crates.io': 'cargo',
  rustbinary: 'cargo',
  'rust-binary': 'cargo',
  'rust-crate': 'cargo',
  // Ruby.
  gem: 'gem',
  gemspec: 'gem',
  bundler: 'gem',
  rubygems: 'gem',
  // .NET.
  nuget: 'nuget',
  'dotnet-core': 'nuget',
  'packages-props': 'nuget',
  dotnet: 'nuget',
  paket: 'nuget',
  // PHP.
  composer: 'composer',
  'composer-vendor': 'composer',
  'php-composer': 'composer',
  packagist: 'composer',
  // Others with one name per scanner pair.
  conda: 'conda',
  'conda-pkg': 'conda',
  'conda-environment': 'conda',
  pub: 'pub',
  'dart-pub': 'pub',
  cocoapods: 'cocoapods',
  pod: 'cocoapods',
  swift: 'swift',
  swifturl: 'swift',
  hex: 'hex',
  cran: 'cran',
  'r-package': 'cran',
  luarocks: 'luarocks',
  'lua-rocks': 'luarocks',
  otp: 'otp',
  'erlang-otp': 'otp',
}

/** The ecosystem family of a package type word; unknown words are their own family. */
export function packageFamily(type: string): string {
  // OSV ecosystems carry a release suffix ("Alpine:v3.18", "Debian:12").
  const word = type.trim().toLowerCase().replace(/:.*$/, '')
  // Own keys only: `constructor` or `__proto__` must not find Object.prototype's members.
  return Object.hasOwn(FAMILY_BY_TYPE, word) ? FAMILY_BY_TYPE[word]! : word
}

/** Name spelling that scanners of one family agree on. */
export function normalizePackageName(family: string, name: string): string {
  const lower = name.trim().toLowerCase()
  switch (family) {
    case 'pypi':
      // PEP 503: runs of `-`, `_`, `.` are equivalent.
      return lower.replace(/[-_.]+/g, '-')
    case 'maven': {
      // Trivy says `group:artifact`, Grype only `artifact`: the artifact id is what both share.
      const cut = Math.max(lower.lastIndexOf(':'), lower.lastIndexOf('/'))
      return cut >= 0 ? lower.slice(cut + 1) : lower
    }
    default:
      return lower
  }
}

/** Version spelling that scanners of one family agree on. */
export function normalizePackageVersion(family: string, version: string): string {
  const v = version.trim()
  switch (family) {
    case 'golang':
      // `v1.2.3` (modules), `go1.21.0` (Grype stdlib) and `1.21.0` are the same version.
      return v.replace(/^(?:go|v)(?=\d)/, '')
    case 'deb':
    case 'rpm':
      // An explicit zero epoch is the same as none.
      return v.replace(/^0:/, '')
    default:
      return v
  }
}

/** Package metadata files some scanners name instead of the package directory. */
const METADATA_FILE = /\/(?:METADATA|PKG-INFO|package\.json|RECORD|top_level\.txt)$/

/**
 * Path spelling scanners agree on: relative (Trivy) vs absolute (Grype), nested-jar `a.jar:b.jar` vs
 * `a.jar/b.jar`, and a package's metadata file vs its directory.
 */
export function normalizePackagePath(path: string): string {
  let p = path
    .trim()
    .replace(/\\/g, '/')
    .replace(/:(?=[^/])/g, '/')
  p = p
    .replace(/\/{2,}/g, '/')
    .replace(/^(?:\.\/)+/, '')
    .replace(/^\/+/, '')
  p = p.replace(METADATA_FILE, '')
  return trimTrailingSlashes(p)
}

/** `a/b//` → `a/b` (without a `/+$` regex, which backtracks quadratically on long runs of slashes). */
export function trimTrailingSlashes(path: string): string {
  let end = path.length
  while (end > 0 && path[end - 1] === '/') end--
  return path.slice(0, end)
}

/** Family, name and version of a package, normalised: equal keys are the same package version. */
export function packageVersionKey(pkg: PackageRef): string {
  const family = packageFamily(pkg.type)
  return `${family}\u0000${normalizePackageName(family, pkg.name)}\u0000${normalizePackageVersion(family, pkg.version)}`
}
