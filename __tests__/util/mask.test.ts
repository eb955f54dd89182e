import { describe, it, expect } from '@jest/globals'
import { SecretMasker, maskSecret, maskSecretsIn } from '../../src/util/mask.js'

describe('maskSecret', () => {
  it.each([
    ['AKIA' + 'Q7RZ2MXWJ5N4KD3H', 'AKIA…(20 chars)'],
    ['x'.repeat(16), 'xxxx…(16 chars)'],
    ['y'.repeat(15), '…(15 chars)'],
    ['hunter2', '…(7 chars)'],
    ['a', '…(1 char)'],
    ['', '…(0 chars)'],
    // Code points, not UTF-16 units: an emoji is one character and is never cut in half.
    ['🔑🔑🔑🔑' + 'k'.repeat(12), '🔑🔑🔑🔑…(16 chars)'],
    // A prefix with whitespace or control characters is printed without them.
    ['\n\tab' + 'c'.repeat(20), 'ab…(24 chars)'],
  ])('masks %j as %j', (value, expected) => {
    expect(maskSecret(value)).toBe(expected)
  })

  it.each([
    'ghp_' + 'Zt8Kq2Lm9Xw4Rv7Bn3Cy6Hd1Fs5Gj0Pa2QeW',
    'wJalr' + 'XUtnFEMIK7MDENGbPxRfiCYzzzKEY1234567',
    'correct horse battery staple',
    'Pw-' + 'abcdefghijklm',
    'sk_live_' + '4eC39HqLyjWDarjtT1zdp7dc',
  ])('never contains the secret itself (%#)', (secret) => {
    const masked = maskSecret(secret)
    expect(masked).not.toContain(secret)
    // At most four characters of it are shown.
    const shown = masked.split('…')[0] ?? ''
    expect(shown.length).toBeLessThanOrEqual(4)
    expect(secret.startsWith(shown)).toBe(true)
  })
})

describe('maskSecretsIn', () => {
  const token = 'ghp_' + 'Zt8Kq2Lm9Xw4Rv7Bn3Cy6Hd1Fs5Gj0Pa2QeW'
  const password = 's3cr3t-pa55'

  it.each([
    {
      name: 'a build argument in a history line',
      text: `RUN |1 TOKEN=${token} /bin/sh -c npm ci # buildkit`,
      secrets: [token],
      expected: 'RUN |1 TOKEN=ghp_…(40 chars) /bin/sh -c npm ci # buildkit',
    },
    {
      name: 'every occurrence of several secrets',
      text: `curl -u me:${password} https://x:${password}@h/${token}`,
      secrets: [password, token],
      expected: 'curl -u me:…(11 chars) https://x:…(11 chars)@h/ghp_…(40 chars)',
    },
    {
      name: 'the longer of two overlapping secrets first',
      text: `A=${password}XYZ B=${password}`,
      secrets: [password, `${password}XYZ`],
      expected: 'A=…(14 chars) B=…(11 chars)',
    },
    {
      name: 'regex metacharacters literally',
      text: 'pass=a.b*c(d)+e?[f]$ end',
      secrets: ['a.b*c(d)+e?[f]$'],
      expected: 'pass=…(15 chars) end',
    },
    {
      name: 'short and long secrets sharing a start, the longest first',
      text: 'x=abc y=abcdefghij z=abcdefghijkl',
      secrets: ['abc', 'abcdefghijkl', 'abcdefghij'],
      expected: 'x=…(3 chars) y=…(10 chars) z=…(12 chars)',
    },
    {
      name: 'a secret at the very end',
      text: 'pw ' + password,
      secrets: [password],
      expected: 'pw …(11 chars)',
    },
    { name: 'nothing when no secret is given', text: 'plain text', secrets: [], expected: 'plain text' },
    { name: 'nothing for an empty secret', text: 'plain text', secrets: [''], expected: 'plain text' },
  ])('masks $name', ({ text, secrets, expected }) => {
    const masked = maskSecretsIn(text, secrets)
    expect(masked).toBe(expected)
    for (const secret of secrets.filter((s) => s !== '')) expect(masked).not.toContain(secret)
  })
})

describe('SecretMasker', () => {
  it('masks one text against 20,000 secrets, each where it occurs', () => {
    const secrets = Array.from({ length: 20_000 }, (_, i) => `npm_${String(i).padStart(36, '0')}`)
    const masker = new SecretMasker(secrets)
    expect(masker.mask(`a ${secrets[7]} b ${secrets[19_999]} c npm_x`)).toBe(
      'a npm_…(40 chars) b npm_…(40 chars) c npm_x',
    )
    expect(masker.mask('no secret here')).toBe('no secret here')
  })
})
