/**
 * How a replaying scanner reads the image it is given, per scanner, following the upstream reader:
 * it finds the image path in its argv, opens it as the real tool does — refusing, with the tool's own
 * message and exit code, a form the tool cannot read — and fills the report's placeholders from what it
 * read: `__IMAGE_ID__` (sha256 of the config) and `__DIFF_ID_<n>__` (layer n's diff ID, checked against
 * the layer's content). So a test only passes when the scanner was given an intact image it can open.
 */

export type ImageForm = 'docker-archive' | 'oci-dir' | 'oci-archive'

export interface ImageInputBehaviour {
  /** The flag whose value is the image path; undefined: the argument `<transport>:<path>` (Snyk). */
  flag?: string
  /** Flag is a boolean and the path is the last argument (`osv-scanner scan image --archive PATH`). */
  flagIsSwitch?: boolean
  accepts: readonly ImageForm[]
  /** What the tool prints (`%s` = the path) and its exit code for a form it cannot read. */
  refusal: { stderr: string; exitCode: number }
}

/**
 * Trivy 0.70 `--input`: `NewArchiveImage` tries go-containerregistry `tarball.Image` (a docker save tar,
 * gzip allowed: pkg/fanal/image/docker.go) then `layout.FromPath` on a *directory* (pkg/fanal/image/
 * oci.go, archive.go). An OCI archive tar fails both; the FATAL run error exits 1. The two inner
 * messages are those files' format strings; the outer wording is the stand-in's.
 */
export const TRIVY_INPUT: ImageInputBehaviour = {
  flag: '--input',
  accepts: ['docker-archive', 'oci-dir'],
  refusal: {
    stderr:
      'FATAL\tFatal error\trun error: image scan error: scan error: unable to initialize a scan service: ' +
      'unable to initialize an image scan service: unable to initialize an archive image: 2 errors occurred:\n' +
      '\t* unable to open %s as a Docker image: file manifest.json not found in tar\n' +
      '\t* unable to open %s as an OCI Image: stat %s/index.json: not a directory\n',
    exitCode: 1,
  },
}

/**
 * OSV-Scanner 2.x `scan image --archive PATH` (a switch; the path is the argument): pkg/osvscanner/
 * osvscanner.go calls osv-scalibr `image.FromTarball`, go-containerregistry's `tarball.ImageFromPath`,
 * which needs `manifest.json`. The error is logged and the run exits 127 (cmd/osv-scanner/internal/cmd/run.go).
 */
export const OSV_SCANNER_INPUT: ImageInputBehaviour = {
  flag: '--archive',
  flagIsSwitch: true,
  accepts: ['docker-archive'],
  refusal: {
    // The error text is the stand-in's (FromTarball's own wording is not reproduced); the exit code is real.
    stderr: 'Scanning local image tarball "%s"\nfile manifest.json not found in tar\n',
    exitCode: 127,
  },
}

/**
 * Dockle 0.4.14 `--input`: pkg/scanner/scan.go opens it with deckoder's `NewDockerArchiveExtractor`, a
 * docker save reader driven by `manifest.json`; a failure is a FATAL log line, exit 1 (the wording here
 * is the stand-in's).
 */
export const DOCKLE_INPUT: ImageInputBehaviour = {
  flag: '--input',
  accepts: ['docker-archive'],
  refusal: { stderr: '%s FATAL failed to open docker archive: manifest.json not found\n', exitCode: 1 },
}

/**
 * Snyk `container test docker-archive:PATH | oci-archive:PATH` (docs.snyk.io "Snyk CLI for container
 * security": archives only, no OCI layout directory). It exits 2 on a failure to scan (the message
 * is the stand-in's).
 */
export const SNYK_INPUT: ImageInputBehaviour = {
  accepts: ['docker-archive', 'oci-archive'],
  refusal: { stderr: 'cannot read %s as an image archive\n', exitCode: 2 },
}

/** The JavaScript (CommonJS, no dependencies) that does the above inside the replay script. */
export const IMAGE_INPUT_SOURCE = String.raw`
const zlib = require('node:zlib')
const crypto = require('node:crypto')
const pathModule = require('node:path')
const sha256 = (b) => 'sha256:' + crypto.createHash('sha256').update(b).digest('hex')
function readTar(buffer) {
  if (buffer[0] === 0x1f && buffer[1] === 0x8b) buffer = zlib.gunzipSync(buffer)
  const files = new Map()
  let offset = 0
  while (offset + 512 <= buffer.length) {
    const header = buffer.subarray(offset, offset + 512)
    if (header.every((b) => b === 0)) break
    const text = (start, end) => header.subarray(start, end).toString('utf8').replace(/\0.*$/s, '')
    const prefix = text(345, 500)
    const name = (prefix ? prefix + '/' : '') + text(0, 100)
    const size = parseInt(text(124, 136).trim() || '0', 8)
    const type = text(156, 157)
    if (type === '0' || type === '') files.set(name.replace(/^\.\//, ''), buffer.subarray(offset + 512, offset + 512 + size))
    offset += 512 + Math.ceil(size / 512) * 512
  }
  return files
}
function plainLayer(blob) {
  if (blob[0] === 0x1f && blob[1] === 0x8b) return zlib.gunzipSync(blob)
  if (blob.readUInt32BE(0) === 0x28b52ffd) return zlib.zstdDecompressSync(blob)
  return blob
}
function openImage(path) {
  let form, read
  if (fs.statSync(path).isDirectory()) {
    form = 'oci-dir'
    read = (name) => fs.readFileSync(pathModule.join(path, name))
  } else {
    const files = readTar(fs.readFileSync(path))
    form = files.has('manifest.json') ? 'docker-archive' : files.has('index.json') ? 'oci-archive' : 'unknown'
    read = (name) => { const f = files.get(name); if (!f) throw new Error(name + ' not found in ' + path); return f }
  }
  if (form === 'unknown') return { form }
  let configBytes, layers
  if (form === 'docker-archive') {
    const manifest = JSON.parse(read('manifest.json'))[0]
    configBytes = read(manifest.Config)
    layers = manifest.Layers.map((name) => read(name))
  } else {
    const blob = (digest) => read('blobs/' + digest.replace(':', '/'))
    let descriptor = JSON.parse(read('index.json')).manifests[0]
    while (descriptor.mediaType && descriptor.mediaType.includes('index')) descriptor = JSON.parse(blob(descriptor.digest)).manifests[0]
    const manifest = JSON.parse(blob(descriptor.digest))
    configBytes = blob(manifest.config.digest)
    layers = manifest.layers.map((l) => blob(l.digest))
  }
  const diffIds = JSON.parse(configBytes).rootfs.diff_ids
  layers.forEach((layer, i) => {
    if (sha256(plainLayer(layer)) !== diffIds[i]) throw new Error('layer ' + i + ' does not match diff ID ' + diffIds[i])
  })
  return { form, imageId: sha256(configBytes), diffIds }
}
function imagePath(argv, input) {
  if (input.flag === undefined) {
    const arg = argv.find((a) => /^(docker-archive|oci-archive|oci-dir):/.test(a))
    return arg === undefined ? null : { path: arg.slice(arg.indexOf(':') + 1), transport: arg.slice(0, arg.indexOf(':')) }
  }
  const at = argv.indexOf(input.flag)
  if (at < 0) return null
  return { path: input.flagIsSwitch ? argv[argv.length - 1] : argv[at + 1] }
}
function readImageInput(argv, input, report) {
  const found = imagePath(argv, input)
  if (found === null) return report
  const image = openImage(found.path)
  const form = found.transport !== undefined && found.transport !== image.form ? 'unknown' : image.form
  if (!input.accepts.includes(form)) {
    process.stderr.write(input.refusal.stderr.split('%s').join(found.path))
    process.exit(input.refusal.exitCode)
  }
  if (report === null) return report
  let text = report.toString('utf8').split('__IMAGE_ID__').join(image.imageId)
  image.diffIds.forEach((id, i) => { text = text.split('__DIFF_ID_' + i + '__').join(id) })
  return Buffer.from(text)
}
`
