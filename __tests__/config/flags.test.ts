import { describe, expect, it } from '@jest/globals'
import { scanHelp } from '../../src/cli-help.js'
import { parseCommandLine } from '../../src/config/flags.js'
import { INPUT_DEFINITIONS } from '../../src/config/inputs.js'
import { ConfigurationError } from '../../src/util/errors.js'

describe('parseCommandLine', () => {
  it.each([[[]], [['help']], [['--help']], [['-h']]])('%j → help', (argv) => {
    expect(parseCommandLine(argv)).toEqual({ command: 'help', topic: 'top' })
  })

  it.each([
    [['scan', '--help'], 'scan'],
    [['scan', 'app:ci', '--frobnicate', '-h'], 'scan'],
    [['help', 'scan'], 'scan'],
    [['install', '--help'], 'install'],
  ])('%j → help on %s', (argv, topic) => {
    expect(parseCommandLine(argv)).toEqual({ command: 'help', topic })
  })

  it.each([
    [['scan', 'x', '--all'], Infinity],
    [['scan', 'x', '--max-rows', '50'], 50],
  ])('%j → the table lists %s rows', (argv, rows) => {
    const parsed = parseCommandLine(argv)
    expect(parsed.command === 'scan' ? parsed.options.maxRows : undefined).toBe(rows)
  })

  it('--max-rows takes a number', () => {
    expect(() => parseCommandLine(['scan', 'x', '--max-rows', 'many'])).toThrow(
      new ConfigurationError('--max-rows: "many" is not a number of rows'),
    )
  })

  it.each([[['-V']], [['--version']], [['version']]])('%j → version', (argv) => {
    expect(parseCommandLine(argv)).toEqual({ command: 'version' })
  })

  it.each([
    [
      ['scan', 'x', '--fial-on', 'high'],
      'unknown flag --fial-on: did you mean --fail-on? (see container-security-gate scan --help)',
    ],
    [
      ['scan', 'x', '--scaners=trivy'],
      'unknown flag --scaners: did you mean --scanners? (see container-security-gate scan --help)',
    ],
    [['scan', 'x', '--zzzzzz'], 'unknown flag --zzzzzz (see container-security-gate scan --help)'],
    [
      ['install', '--dryrun'],
      'unknown flag --dryrun: did you mean --dry-run? (see container-security-gate install --help)',
    ],
    [['scna', 'x'], 'unknown command "scna": did you mean scan? (accepted: scan, install, help, version)'],
    [['scan', 'x', '--report'], '--report needs a value (see container-security-gate scan --help)'],
    [['scan', 'x', '--only-fixed=yes'], '--only-fixed is a switch and takes no value'],
  ])('%j → %s', (argv, message) => {
    expect(() => parseCommandLine(argv)).toThrow(new ConfigurationError(message))
  })

  it('maps scan flags onto the action inputs', () => {
    const parsed = parseCommandLine([
      'scan',
      'a.tar',
      'oci:dir',
      '--scanners',
      'builtin,trivy',
      '--scanners',
      'grype',
      '--fail-on',
      'medium',
      '--report',
      'trivy:t.json',
      '--report',
      'sarif:C:\\x,y.sarif',
      '--sarif',
      'out.sarif',
      '--json',
      'out.json',
      '--continue-on-scanner-error',
      '--only-fixed',
      '--format',
      'json',
      '--no-color',
    ])
    expect(parsed).toEqual({
      command: 'scan',
      options: {
        inputs: {
          image: ['a.tar', 'oci:dir'],
          scanners: ['builtin', 'trivy', 'grype'],
          'fail-on': 'medium',
          reports: ['trivy:t.json', 'sarif:C:\\x,y.sarif'],
          'sarif-file': 'out.sarif',
          'findings-file': 'out.json',
          'continue-on-scanner-error': 'true',
          'only-fixed': 'true',
        },
        format: 'json',
        color: false,
        verbose: false,
      },
    })
  })

  it('parses install --dry-run with a platform and versions', () => {
    expect(
      parseCommandLine([
        'install',
        '--dry-run',
        '--scanners',
        'trivy,grype',
        '--platform',
        'linux-arm64',
        '--trivy-version',
        '0.70.0',
      ]),
    ).toEqual({
      command: 'install',
      options: {
        scanners: ['trivy', 'grype'],
        dryRun: true,
        platform: 'linux-arm64',
        versions: { trivy: '0.70.0' },
      },
    })
  })

  it.each([
    [['frob'], /unknown command "frob"/],
    [['scan', 'x', '--nope'], /nope/],
    [['scan', 'x', '--format', 'xml'], /--format: "xml" is not table or json/],
    [['install', '--dry-run'], /--scanners LIST is required/],
    [['install', 'extra', '--scanners', 'trivy'], /unexpected argument "extra"/],
    [['scan', 'x', '--fail-on'], /fail-on/],
  ])('%j → ConfigurationError', (argv, message) => {
    expect(() => parseCommandLine(argv)).toThrow(ConfigurationError)
    expect(() => parseCommandLine(argv)).toThrow(message)
  })

  it('documents every flag in the usage text', () => {
    for (const d of INPUT_DEFINITIONS) if ('flag' in d) expect(scanHelp()).toContain(`  ${d.flag}`)
  })
})
