/**
 * The one table of pinned scanner versions and the known-good sha256 of their release assets.
 *
 * Why the hashes live here: in March 2026 the trivy-action / setup-trivy tags were force-pushed and a
 * malicious Trivy v0.69.4 was published through Trivy's own release pipeline (GHSA-69fq-xp46-6x23,
 * CVE-2026-33634; the v0.69.4–v0.69.6 images on Docker Hub too). A checksum file next to a binary
 * proves nothing when both come from the same compromised pipeline, so a pinned default version is
 * verified against the digests written below. Only a version that is not in this table falls back to the
 * release's own checksum file.
 *
 * Rules for this file:
 * - Every digest is copied from a public place that transcribed it from the upstream release (source
 *   named per entry). None is computed or guessed here.
 * - A digest is listed when at least two unrelated projects carry the same value, or when its single
 *   source is the vendor itself, or when the single source's other digests for the same release were
 *   all confirmed elsewhere (so it demonstrably copied that release's checksum file correctly). Assets
 *   with no such digest are left out: the installer then verifies them against the release checksum
 *   file and says so in a warning.
 * - Keys are release asset file names exactly as published (case matters).
 * - Bumping a version means replacing every digest of that tool in the same change.
 */

import { SCANNER_IDS, type ScannerId } from '../scanners/scanner.js'

/** The scanners that are downloaded: every scanner except `builtin`, which is native TypeScript. */
export type DownloadableTool = Exclude<ScannerId, 'builtin'>
export const DOWNLOADABLE_TOOLS: readonly DownloadableTool[] = SCANNER_IDS.filter(
  (id): id is DownloadableTool => id !== 'builtin',
)

export interface PinnedRelease {
  version: string
  /** Known-good sha256 by release asset file name; `{}` when none could be verified. */
  sha256: Readonly<Record<string, string>>
}

const PINNED: Readonly<Record<DownloadableTool, PinnedRelease>> = {
  // Trivy 0.70.0 (released 2026-04-17): the first minor release after the March 2026 compromise, built
  // by the remediated pipeline. The compromised binary release was v0.69.4 (v0.69.5/v0.69.6 were
  // malicious Docker Hub images); v0.27.0–v0.69.1 were deleted from GitHub on 2026-03-01, so nothing
  // older can be pinned. 0.70.0 is not in the affected range and its digests are carried by many
  // projects that pin it.
  // Sources (trivy_0.70.0_checksums.txt as transcribed): all five in a bash installer pinning
  // gitleaks/trivy/actionlint "SHA-256 tomados del *_checksums.txt"; Linux both in several Dockerfiles
  // and a Jenkins library; macOS both in a Bazel toolchain and a Go tool table; Windows in a Chocolatey
  // install script and an SBOM that also records the checksums file's own digest.
  trivy: {
    version: '0.70.0',
    sha256: {
      'trivy_0.70.0_Linux-64bit.tar.gz': '8b4376d5d6befe5c24d503f10ff136d9e0c49f9127a4279fd110b727929a5aa9',
      'trivy_0.70.0_Linux-ARM64.tar.gz': '2f6bb988b553a1bbac6bdd1ce890f5e412439564e17522b88a4541b4f364fc8d',
      'trivy_0.70.0_macOS-64bit.tar.gz': '52d531452b19e7593da29366007d02a810e1e0080d02f9cf6a1afb46c35aaa93',
      'trivy_0.70.0_macOS-ARM64.tar.gz': '68e543c51dcc96e1c344053a4fde9660cf602c25565d9f09dc17dd41e13b838a',
      'trivy_0.70.0_windows-64bit.zip': 'eea5442eab86f9e26cd718d7618d43899e72a83767619e8bee47911bddbfb825',
    },
  },
  // Grype 0.111.0. Source: awslabs automated-security-helper's pinned-asset table, "transcribed
  // verbatim from grype_0.111.0_checksums.txt"; Linux and macOS confirmed by a Bazel toolchain and a
  // shell inventory script. The Windows digest has that single source (its other four are confirmed).
  grype: {
    version: '0.111.0',
    sha256: {
      'grype_0.111.0_linux_amd64.tar.gz': '18ed2048d7a233566b681121d4632364f5f25d72cca86acc4c7ac57210d78a87',
      'grype_0.111.0_linux_arm64.tar.gz': '1a8b9bd691ce274e44056e7572cdf8c6970bdf9ec694001f7b4b17962b121b43',
      'grype_0.111.0_darwin_amd64.tar.gz': '8fefd00f6ddd6407275be31b228089820e91c7a8cd2d046e877601773ac5062f',
      'grype_0.111.0_darwin_arm64.tar.gz': '62d005a1e36ac7ec0b7be801ebc8eab0053fd831a227e1dc8ea9c356d38fa361',
      'grype_0.111.0_windows_amd64.zip': '17f3bfb758b3c18426a89060344d9569f4344b0a606d42b60bd89792f996e3bd',
    },
  },
  // OSV-Scanner 2.6.0 (raw binaries). Source: a TypeScript tool table "sha256 values from
  // osv-scanner_SHA256SUMS on the release"; Linux amd64 confirmed by many CI scripts, Linux arm64 and
  // both macOS by a Python gate that checked osv-scanner_SHA256SUMS, Windows by two install scripts.
  'osv-scanner': {
    version: '2.6.0',
    sha256: {
      'osv-scanner_linux_amd64': 'ca69b3d3cd08f889a49dc0a383122f71cc528b83803671df5fd874d97485b108',
      'osv-scanner_linux_arm64': '2c71403eb443d05891c4f268c3ad771cf4f16e5443463fd7851ef8f454d3c7e4',
      'osv-scanner_darwin_amd64': '60c5296637e977b28eeda5c7f13573e447659a632922737f94d11fa7e30ad6ca',
      'osv-scanner_darwin_arm64': '98c460dcd37de25819babd757d04542045b6243113e209edcd4d89fedb0256b4',
      'osv-scanner_windows_amd64.exe': 'e0ed7644118b717b028c249ee9d3515024e55e8510747ca08906eb96765354d6',
    },
  },
  // Dockle 0.4.14, not the newer 0.4.15: no published digest of any 0.4.15 asset could be found to
  // verify against. Source: a pinned-tool manifest (all four); the two Linux digests are confirmed by
  // an unrelated multi-arch Dockerfile that `sha256sum -c`s them. No Windows digest was found: the
  // Windows zip is verified against dockle_0.4.14_checksums.txt.
  dockle: {
    version: '0.4.14',
    sha256: {
      'dockle_0.4.14_Linux-64bit.tar.gz': 'a7eb7f10c6c3f7bf7209baf48d7b51dec0771aacda1f4773891def77b555e097',
      'dockle_0.4.14_Linux-ARM64.tar.gz': '2ab0fbf42fdbbb1532958244a8c7832f8aeabee27d1e3a545ffdfcff9b0ef332',
      'dockle_0.4.14_macOS-64bit.tar.gz': '23d9994f96e5d284fdc573c45c48080b02ca27ac0bd5326bd081cb7548b04837',
      'dockle_0.4.14_macOS-ARM64.tar.gz': '417f3f9c20f6465c3973d10ee43e1a04fe5ed2338ff989b81b638c87ad9c922e',
    },
  },
  // Hadolint 2.15.1 (raw binaries, lower-case names since 2.13). From v2.15.0 the release carries one
  // `checksums.sha256` (`sha256sum -b hadolint*`, release.yml at v2.15.0/v2.15.1) instead of one
  // `<asset>.sha256` per binary. Sources (checksums.sha256 as transcribed): each digest is carried by
  // several unrelated projects — Linux x86_64 by many Dockerfiles and installers (one noting it is taken
  // "from its checksums.sha256"), Linux arm64 and both macOS by Makefiles and shell installers that pin
  // all four, Windows by a Python bootstrap, a TypeScript tool table and a Lua tool manifest.
  hadolint: {
    version: '2.15.1',
    sha256: {
      'hadolint-linux-x86_64': 'c7187db94eeeeca956519a6af171adc31453941a1e777961f6e680f697c8c507',
      'hadolint-linux-arm64': 'f6198ef8090f404dbb771abfee086eb8c48ac177f30da7fd3510aca35b344b5d',
      'hadolint-macos-x86_64': 'ffe9bb18b23d5ed1eae50237aecdbb523d016e96da0bd4e7aa432040acfc3fde',
      'hadolint-macos-arm64': '5c09f3213f8e40406abe048233d985eebef336d4a6a20021be47fadb6cf480a2',
      'hadolint-windows-x86_64.exe': '01d927294962b5387f9ead4f18679158452be4f17c765ad0bdffe5264b9c7b0a',
    },
  },
  // Snyk CLI 1.1308.0 (raw binaries). Source: the vendor's own Homebrew tap (snyk/homebrew-tap
  // Formula/snyk.rb), whose release job fills it from the release's `<asset>.sha256` files. It has no
  // Windows entry: snyk-win.exe is verified against snyk-win.exe.sha256.
  snyk: {
    version: '1.1308.0',
    sha256: {
      'snyk-linux': 'a916d3ec9e6c27d56cf67664459885512758a1ae94418ba430fcb92e86c32ae1',
      'snyk-linux-arm64': '059d33ea4fa3d53c26ade2b6f69ab61dcf567dc8cbc2225ef3060db6fcfe8664',
      'snyk-macos': '4c2d46bfacbe034e6b9f13f5226731e8bd22ffbf08e46b435de65889e4eae1a1',
      'snyk-macos-arm64': '6439fd2ab633444ecb3e646da5e8539a28ccc8787455f7b9453529a5e7406e04',
    },
  },
  // Docker Bench for Security 1.6.1 (December 2023, the latest tag). No archive digest is pinned: the
  // project publishes no binaries, only GitHub's generated source archives, whose bytes GitHub does not
  // guarantee to keep stable. Its release workflow (.github/workflows/slsa.yml) attaches
  // docker-bench-security.sha256, the sha256 of every script in the tag; the installer checks the
  // extracted files against that list instead (ChecksumSource `file-list`).
  'docker-bench': {
    version: '1.6.1',
    sha256: {},
  },
  // Cinc Auditor 6.8.24 (Ubuntu 24.04 packages from downloads.cinc.sh / ftp.osuosl.org; Cinc publishes
  // no GitHub releases). Source: two container build files (boxcutter/oci and a fork) that pin both
  // packages by sha256.
  'cinc-auditor': {
    version: '6.8.24',
    sha256: {
      'cinc-auditor_6.8.24-1_amd64.deb': '13907518ae88cc12d85fb09e2bca5c6f48d9ced75fe1dad61285d1d884cda9c7',
      'cinc-auditor_6.8.24-1_arm64.deb': '7453d58358cc158ddfe7a92a4557966c1e4b472e207e6097cf2490b323bd2616',
    },
  },
  // Cosign 3.1.1 (raw binaries; cosign_checksums.txt otherwise). Sources: a Go tool table, a Python
  // verifier bootstrap, a Makefile (renovate-managed) and several installers; all four Unix digests
  // appear in at least two of them. The Windows digest has one source, whose other four are confirmed.
  cosign: {
    version: '3.1.1',
    sha256: {
      'cosign-linux-amd64': 'ae1ecd212663f3693ad9edf8b1a183900c9a52d3155ba6e354237f9a0f6463fc',
      'cosign-linux-arm64': '2ec865872e331c32fd12b08dae15332d3f92c0aa029219589684a4903ca85d11',
      'cosign-darwin-amd64': '14d2678dfbfde18798151e86fbd91ebdadbb7424b18412a42a155dd8a2df4c7a',
      'cosign-darwin-arm64': '94b42a9e697be95675f6160ab031a9a5f1ec1e646d6f648d7b2f5cd59ececbc5',
      'cosign-windows-amd64.exe': '9d2c026e667bfd979fa7ba1cab8c4b24d2e73f336ec2d57f7fc72c7e73e5b4b6',
    },
  },
}

/** The pinned default version of each downloadable scanner. */
export const DEFAULT_VERSIONS: Readonly<Record<DownloadableTool, string>> = Object.fromEntries(
  DOWNLOADABLE_TOOLS.map((tool) => [tool, PINNED[tool].version]),
) as Record<DownloadableTool, string>

export function isDownloadableTool(value: string): value is DownloadableTool {
  return (DOWNLOADABLE_TOOLS as readonly string[]).includes(value)
}

/** `v1.2.3` and `1.2.3` name the same release. */
function withoutV(version: string): string {
  return /^v\d/.test(version) ? version.slice(1) : version
}

/** The known-good sha256 of one asset of a pinned version, or undefined when the table has none. */
export function knownSha256(tool: string, version: string, assetName: string): string | undefined {
  if (!isDownloadableTool(tool)) return undefined
  const pinned = PINNED[tool]
  if (pinned.version !== withoutV(version)) return undefined
  return Object.hasOwn(pinned.sha256, assetName) ? pinned.sha256[assetName] : undefined
}

/** The signature `installTool` and `describeInstallPlan` take, so tests can inject a table. */
export type KnownSha256Lookup = (tool: string, version: string, assetName: string) => string | undefined
