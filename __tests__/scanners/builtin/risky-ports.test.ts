import { describe, it, expect } from '@jest/globals'
import { parseExposedPort, RISKY_PORTS, riskyPortCheck } from '../../../src/scanners/builtin/risky-ports.js'
import { runCheck } from './run-check.js'

describe('parseExposedPort', () => {
  it.each([
    ['22/tcp', { from: 22, to: 22, protocol: 'tcp' }],
    ['53/udp', { from: 53, to: 53, protocol: 'udp' }],
    ['8080', { from: 8080, to: 8080, protocol: 'tcp' }],
    ['5900-5910/TCP', { from: 5900, to: 5910, protocol: 'tcp' }],
    ['80/sctp', { from: 80, to: 80, protocol: 'sctp' }],
  ])('%s', (spec, expected) => {
    expect(parseExposedPort(spec)).toEqual(expected)
  })

  it.each(['', 'http', '70000/tcp', '30-20/tcp', '22/', '-1/tcp'])('rejects %j', (spec) => {
    expect(parseExposedPort(spec)).toBeUndefined()
  })
})

describe('csg/risky-port', () => {
  it.each([
    ['21/tcp', 'FTP'],
    ['22/tcp', 'SSH'],
    ['23/tcp', 'Telnet'],
    ['2375/tcp', 'Docker API (plain)'],
    ['2376/tcp', 'Docker API (TLS)'],
    ['3389/tcp', 'RDP'],
    ['5900/tcp', 'VNC'],
    ['445/tcp', 'SMB'],
    ['6379/tcp', 'Redis'],
    ['11211/udp', 'Memcached'],
    ['27017/tcp', 'MongoDB'],
  ])('reports %s (%s)', async (port, service) => {
    const findings = await runCheck(riskyPortCheck, { config: { exposedPorts: [port] } })
    expect(findings).toHaveLength(1)
    expect(findings[0]).toMatchObject({
      ruleId: 'csg/risky-port',
      severity: 'medium',
      subject: port,
      instruction: { keyword: 'EXPOSE', argument: port.split('/')[0] },
    })
    expect(findings[0]?.title).toContain(service)
  })

  it('reports one finding per risky port and none for the others', async () => {
    const findings = await runCheck(riskyPortCheck, {
      config: { exposedPorts: ['80/tcp', '22/tcp', '443/tcp', '8080/tcp', '2375/tcp', '5432/tcp', '53/udp'] },
    })
    expect(findings.map((f) => f.subject)).toEqual(['22/tcp', '2375/tcp'])
  })

  it.each([
    ['22/udp', 'SSH is TCP only'],
    ['8022/tcp', 'not a listed port'],
    ['nonsense', 'an unreadable port'],
  ])('does not report %s (%s)', async (port) => {
    expect(await runCheck(riskyPortCheck, { config: { exposedPorts: [port] } })).toEqual([])
  })

  it('expands a range and names each risky port in it', async () => {
    const findings = await runCheck(riskyPortCheck, { config: { exposedPorts: ['20-25/tcp'] } })
    expect(findings.map((f) => f.subject)).toEqual(['21/tcp', '22/tcp', '23/tcp'])
  })

  it('reports a port declared twice once', async () => {
    const findings = await runCheck(riskyPortCheck, { config: { exposedPorts: ['22', '22/tcp'] } })
    expect(findings.map((f) => f.subject)).toEqual(['22/tcp'])
  })

  it('lists the ports the brief requires', () => {
    const ports = RISKY_PORTS.map((p) => p.port)
    for (const port of [21, 22, 23, 2375, 2376, 3389, 5900]) expect(ports).toContain(port)
  })
})
