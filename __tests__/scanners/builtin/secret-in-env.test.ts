import { describe, it, expect } from '@jest/globals'
import { secretInEnvCheck, splitEnvEntry } from '../../../src/scanners/builtin/secret-in-env.js'
import { planted } from './planted.js'
import { runCheck } from './run-check.js'

describe('csg/secret-in-env', () => {
  it.each([
    ['AWS_ACCESS_KEY_ID', planted.awsAccessKeyId, 'critical'],
    ['AWS_SECRET_ACCESS_KEY', planted.awsSecretAccessKey, 'critical'],
    ['GITHUB_TOKEN', planted.githubToken, 'critical'],
    ['SOME_URL_WITH_TOKEN', `https://api.example/?t=${planted.googleApiKey}`, 'critical'],
    ['STRIPE', planted.stripeKey, 'critical'],
    ['DB_PASSWORD', planted.password, 'high'],
    ['DATABASE_URL', `postgres://app:${planted.password}@db:5432/app`, 'high'],
    ['API_TOKEN', planted.shortPassword, 'high'],
  ])('reports ENV %s (%s)', async (name, value, severity) => {
    const findings = await runCheck(secretInEnvCheck, {
      config: { env: [`${name}=${value}`, 'PATH=/usr/bin'] },
    })
    expect(findings).toHaveLength(1)
    const finding = findings[0]
    expect(finding).toMatchObject({
      ruleId: 'csg/secret-in-env',
      kind: 'secret',
      severity,
      subject: `ENV ${name}`,
      instruction: { keyword: 'ENV', argument: name },
    })
    expect(finding?.evidence).toMatch(new RegExp(`^ENV ${name}=.*\\(\\d+ chars\\)$`))
    expect(JSON.stringify(finding)).not.toContain(value)
    expect(finding?.help?.markdown).toContain('4.10')
  })

  it.each([
    ['an empty value', 'DB_PASSWORD='],
    ['a variable reference', 'DB_PASSWORD=${DB_PASSWORD}'],
    ['a $VAR reference', 'API_TOKEN=$TOKEN'],
    ['a *_FILE name', 'POSTGRES_PASSWORD_FILE=/run/secrets/pg'],
    ['a *_PATH name', 'SECRET_PATH=/etc/app/secret'],
    ['a boolean', 'MYSQL_ALLOW_EMPTY_PASSWORD=yes'],
    ['a TTL', 'TOKEN_TTL=3600'],
    ['a placeholder', 'ADMIN_PASSWORD=changeme'],
    ['a public GPG key id', 'GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D'],
    ['a name without a value', 'DB_PASSWORD'],
    ['an ordinary variable', 'NODE_ENV=production'],
  ])('does not report %s', async (_name, entry) => {
    expect(await runCheck(secretInEnvCheck, { config: { env: [entry] } })).toEqual([])
  })

  it('reports one finding per variable, the last value of a duplicate name', async () => {
    const findings = await runCheck(secretInEnvCheck, {
      config: {
        env: [
          `DB_PASSWORD=${planted.password}`,
          `DB_PASSWORD=${planted.githubToken}`,
          `X_TOKEN=${planted.password}`,
        ],
      },
    })
    expect(findings.map((f) => [f.subject, f.severity])).toEqual([
      ['ENV DB_PASSWORD', 'critical'],
      ['ENV X_TOKEN', 'high'],
    ])
  })

  it('splits entries at the first =', () => {
    expect(splitEnvEntry('A=b=c')).toEqual({ name: 'A', value: 'b=c' })
    expect(splitEnvEntry('A')).toEqual({ name: 'A' })
  })
})
