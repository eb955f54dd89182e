import { describe, it, expect } from '@jest/globals'
import { findKnownSecrets, isAwsSecretAccessKey } from '../../../src/scanners/builtin/secret-patterns.js'
import { planted, privateKeyBlock, randomish } from './planted.js'

describe('findKnownSecrets', () => {
  it.each([
    ['aws-access-key-id', `key=${planted.awsAccessKeyId}`, planted.awsAccessKeyId],
    ['aws-access-key-id', `"${planted.awsSessionKeyId}"`, planted.awsSessionKeyId],
    [
      'aws-secret-access-key',
      `aws_secret_access_key = ${planted.awsSecretAccessKey}`,
      planted.awsSecretAccessKey,
    ],
    [
      'aws-secret-access-key',
      `AWS_SECRET_ACCESS_KEY="${planted.awsSecretAccessKey}"`,
      planted.awsSecretAccessKey,
    ],
    [
      'aws-secret-access-key',
      `aws configure set aws_secret_access_key ${planted.awsSecretAccessKey}`,
      planted.awsSecretAccessKey,
    ],
    ['github-token', `Authorization: token ${planted.githubToken}`, planted.githubToken],
    ['github-token', `x:${planted.githubOauth}@github.com`, planted.githubOauth],
    ['github-fine-grained-token', planted.githubFineGrained, planted.githubFineGrained],
    ['gitlab-token', `PRIVATE-TOKEN: ${planted.gitlabToken}`, planted.gitlabToken],
    ['slack-token', planted.slackToken, planted.slackToken],
    ['stripe-secret-key', planted.stripeKey, planted.stripeKey],
    ['google-api-key', `?key=${planted.googleApiKey}`, planted.googleApiKey],
    ['npm-token', `//registry.npmjs.org/:_authToken=${planted.npmToken}`, planted.npmToken],
    ['docker-hub-token', planted.dockerHubToken, planted.dockerHubToken],
  ])('finds %s in %j', (id, text, value) => {
    const matches = findKnownSecrets(text)
    expect(matches).toContainEqual(expect.objectContaining({ id, value, severity: 'critical' }))
  })

  it.each(['RSA ', 'EC ', 'OPENSSH ', 'ENCRYPTED ', ''])('finds a %sPRIVATE KEY block', (kind) => {
    const matches = findKnownSecrets(`key: |\n${privateKeyBlock(kind)}`)
    expect(matches.map((m) => m.id)).toEqual(['private-key'])
    expect(matches[0]?.value).toContain(planted.privateKeyBody.slice(0, 30))
  })

  it('finds a key block whose end was cut off by the content bound', () => {
    const truncated = privateKeyBlock().slice(0, 120)
    expect(findKnownSecrets(truncated).map((m) => m.id)).toEqual(['private-key'])
  })

  it.each([
    ['a public key', `-----BEGIN PUBLIC KEY-----\n${planted.privateKeyBody}\n-----END PUBLIC KEY-----`],
    ['a certificate', `-----BEGIN CERTIFICATE-----\n${planted.privateKeyBody}\n-----END CERTIFICATE-----`],
    ['a key marker without a body (documentation)', 'look for "-----BEGIN RSA PRIVATE KEY-----" in the file'],
    ['an access key id inside a longer word', `X${planted.awsAccessKeyId}`],
    ['an access key id with lower-case letters', 'AKIA' + randomish(16, 40, 'abcdefgh')],
    ['a too-short GitHub token', 'ghp_' + randomish(20, 41)],
    ['a Stripe test key', 'sk_test_' + randomish(24, 42)],
    ['a Stripe publishable key', 'pk_live_' + randomish(24, 43)],
    ['a 40-character value with no AWS name before it', `checksum ${planted.awsSecretAccessKey}`],
    ['plain words', 'apt-get install -y curl ca-certificates && rm -rf /var/lib/apt/lists/*'],
  ])('finds nothing in %s', (_name, text) => {
    expect(findKnownSecrets(text)).toEqual([])
  })

  it('reports each distinct value once', () => {
    const text = `${planted.githubToken} ${planted.githubToken} ${planted.npmToken}`
    expect(findKnownSecrets(text).map((m) => m.value)).toEqual([planted.githubToken, planted.npmToken])
  })
})

describe('isAwsSecretAccessKey', () => {
  it.each([
    ['AWS_SECRET_ACCESS_KEY', planted.awsSecretAccessKey, true],
    ['MY_AWS_SECRET', planted.awsSecretAccessKey, true],
    ['SECRET_ACCESS_KEY', planted.awsSecretAccessKey, true],
    ['AWS_SECRET_ACCESS_KEY', 'short', false],
    ['GIT_COMMIT', planted.awsSecretAccessKey, false],
  ])('%s=%s → %s', (name, value, expected) => {
    expect(isAwsSecretAccessKey(name, value)).toBe(expected)
  })
})
