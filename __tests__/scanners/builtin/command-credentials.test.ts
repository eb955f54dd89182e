import { describe, it, expect } from '@jest/globals'
import { credentialsInCommand } from '../../../src/scanners/builtin/command-credentials.js'
import { planted } from './planted.js'

const pw = planted.password

describe('credentialsInCommand', () => {
  it.each([
    ['curl -u', `curl -fsSL -u deploy:${pw} https://repo.example/x.tgz -o x.tgz`],
    ['curl -u', `curl --user deploy:${pw} https://repo.example/x.tgz`],
    ['curl -u', `curl -u'deploy:${pw}' https://repo.example/x.tgz`],
    ['--password', `mvn deploy --password ${pw}`],
    ['--password', `wget --http-password=${pw} https://host/file`],
    ['--password', `docker login -u me --password "${pw}" registry.example`],
    ['--token', `vault login --token=${pw}`],
    ['sshpass -p', `sshpass -p ${pw} scp file host:`],
    ['Authorization header', `curl -H "Authorization: Bearer ${pw}" https://api.example/`],
    ['Authorization header', `curl -H 'PRIVATE-TOKEN: ${pw}' https://gitlab.example/api`],
    ['npm _authToken', `echo "//registry.npmjs.org/:_authToken=${pw}" > .npmrc`],
    ['URL credentials', `git clone https://bot:${pw}@git.example/acme/app.git`],
    ['API_TOKEN', `API_TOKEN=${pw} ./deploy.sh`],
    ['DB_PASSWORD', `export DB_PASSWORD=${pw} && ./migrate`],
  ])('finds %s in %j', (label, command) => {
    const found = credentialsInCommand(command)
    expect(found).toContainEqual(expect.objectContaining({ label, value: pw, severity: 'high' }))
    // Each value once, whatever rules it matched.
    expect(found.filter((c) => c.value === pw)).toHaveLength(1)
  })

  it.each([
    ['a password from a build secret', 'curl -u "deploy:$(cat /run/secrets/pw)" https://repo.example/x'],
    ['a variable reference', 'curl -u "deploy:${PASSWORD}" https://repo.example/x'],
    ['--password-stdin', 'cat /run/secrets/pw | docker login -u me --password-stdin registry.example'],
    ['-u of another command', 'useradd -u 1000 -g app app && docker run -u 1000:1000 img'],
    ['a token variable', 'npm config set //registry.npmjs.org/:_authToken=${NPM_TOKEN}'],
    [
      'an Authorization header from a variable',
      'curl -H "Authorization: Bearer $TOKEN" https://api.example/',
    ],
    ['an ordinary command', 'apt-get update && apt-get install -y --no-install-recommends curl=7.88.1-10'],
    ['a harmless assignment', 'DEBIAN_FRONTEND=noninteractive apt-get install -y tzdata'],
    ['a placeholder', 'mysql --password=changeme -e "select 1"'],
  ])('finds nothing for %s', (_name, command) => {
    expect(credentialsInCommand(command)).toEqual([])
  })
})
