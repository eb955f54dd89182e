import { describe, it, expect } from '@jest/globals'
import {
  classifyAssignment,
  isNonSecretValue,
  isSensitiveName,
  unquote,
  urlCredentialsIn,
} from '../../../src/scanners/builtin/secret-values.js'
import { planted } from './planted.js'

describe('isSensitiveName', () => {
  it.each([
    'PASSWORD',
    'DB_PASSWORD',
    'POSTGRES_PASSWORD',
    'dbPassword',
    'db.password',
    'smtp-passwd',
    'CLIENT_SECRET',
    'GITHUB_TOKEN',
    'NPM_TOKEN',
    'ACCESS_TOKEN',
    'STRIPE_API_KEY',
    'OPENAI_APIKEY',
    'JWT_PRIVATE_KEY',
    'GOOGLE_APPLICATION_CREDENTIALS',
    'DJANGO_SECRET_KEY',
    'AWS_SECRET_ACCESS_KEY',
    'REDIS_PASS',
    'MAIL_PWD',
    'PASS',
  ])('%s is sensitive', (name) => {
    expect(isSensitiveName(name)).toBe(true)
  })

  it.each([
    'PATH',
    'PWD',
    'OLDPWD',
    'HOME',
    'GPG_KEY',
    'GPG_KEYS',
    'PASSWORD_FILE',
    'POSTGRES_PASSWORD_FILE',
    'TOKEN_TTL',
    'TOKEN_URL',
    'SECRET_NAME',
    'PASSWORD_MIN_LENGTH',
    'BYPASS',
    'AWS_ACCESS_KEY_ID',
    'KEYCLOAK_VERSION',
  ])('%s is not sensitive', (name) => {
    expect(isSensitiveName(name)).toBe(false)
  })
})

describe('isNonSecretValue', () => {
  it.each([
    '',
    '   ',
    '""',
    "''",
    '$DB_PASSWORD',
    '${DB_PASSWORD}',
    '${DB_PASSWORD:-}',
    '"${NPM_TOKEN}"',
    'true',
    'FALSE',
    'yes',
    'no',
    'off',
    '0',
    '3600',
    'changeme',
    'CHANGEME',
    'changeit',
    'password',
    'secret',
    '***',
    'xxxxxxxx',
    '<your-token>',
    '{{ .Values.token }}',
    'your_api_key_here',
    '/run/secrets/db_password',
    'arn:aws:secretsmanager:eu-west-1:123456789012:secret:db',
    'vault:secret/data/app#password',
  ])('%j is not a literal secret', (value) => {
    expect(isNonSecretValue(value)).toBe(true)
  })

  it.each([planted.password, planted.shortPassword, '12345678', 'Tr0ub4dor&3', 'postgres'])(
    '%j is a literal',
    (value) => {
      expect(isNonSecretValue(value)).toBe(false)
    },
  )
})

describe('unquote', () => {
  it.each([
    ['"abc"', 'abc'],
    ["'abc'", 'abc'],
    ['"abc', '"abc'],
    ['  abc  ', 'abc'],
    ['"', '"'],
  ])('%j → %j', (raw, expected) => {
    expect(unquote(raw)).toBe(expected)
  })
})

describe('urlCredentialsIn', () => {
  it.each([
    [`postgres://app:${planted.password}@db:5432/app`, planted.password],
    [`https://x-access-token:${planted.password}@github.com/acme/repo.git`, planted.password],
  ])('finds the password in %j', (text, password) => {
    expect(urlCredentialsIn(text).map((m) => m.value)).toEqual([password])
  })

  it.each([
    'https://github.com/acme/repo.git',
    'https://user@host/path',
    'https://x:${TOKEN}@github.com/acme/repo.git',
    'https://x:$TOKEN@github.com/acme/repo.git',
    'mailto:someone@example.org',
  ])('finds nothing in %j', (text) => {
    expect(urlCredentialsIn(text)).toEqual([])
  })
})

describe('classifyAssignment', () => {
  it.each([
    ['ANY_NAME', planted.githubToken, 'github-token', 'critical'],
    ['DB_PASSWORD', planted.githubToken, 'github-token', 'critical'],
    ['AWS_SECRET_ACCESS_KEY', planted.awsSecretAccessKey, 'aws-secret-access-key', 'critical'],
    ['AWS_ACCESS_KEY_ID', planted.awsAccessKeyId, 'aws-access-key-id', 'critical'],
    ['DATABASE_URL', `postgres://app:${planted.password}@db/app`, 'url-credentials', 'high'],
    ['DB_PASSWORD', planted.password, 'sensitive-name', 'high'],
    ['DB_PASSWORD', `"${planted.password}"`, 'sensitive-name', 'high'],
    ['API_TOKEN', planted.shortPassword, 'sensitive-name', 'high'],
  ])('%s=%s → %s (%s)', (name, value, id, severity) => {
    expect(classifyAssignment(name, value)).toMatchObject({ id, severity })
  })

  it.each([
    ['DB_PASSWORD', ''],
    ['DB_PASSWORD', '${DB_PASSWORD}'],
    ['DB_PASSWORD', 'changeme'],
    ['MYSQL_ALLOW_EMPTY_PASSWORD', 'yes'],
    ['MYSQL_RANDOM_ROOT_PASSWORD', 'true'],
    ['POSTGRES_PASSWORD_FILE', '/run/secrets/pg'],
    ['TOKEN_TTL', '3600'],
    ['PATH', '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'],
    ['GPG_KEY', 'A035C8C19219BA821ECEA86B64E628F8D684696D'],
    ['JAVA_HOME', '/opt/java/openjdk'],
    // AWS's documented example key is an example, not a leak.
    ['AWS_ACCESS_KEY_ID', 'AKIA' + 'IOSFODNN7' + 'EXAMPLE'],
  ])('%s=%s is not a secret', (name, value) => {
    expect(classifyAssignment(name, value)).toBeUndefined()
  })

  it('returns the matched token, not the whole value, for a token inside a longer value', () => {
    const match = classifyAssignment('GIT_URL', `https://github.com/acme/x?access=${planted.githubToken}`)
    expect(match?.value).toBe(planted.githubToken)
  })
})
