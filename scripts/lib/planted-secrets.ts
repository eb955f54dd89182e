/**
 * Secret values planted in test images. Built at run time from pieces, so no token-shaped literal sits in
 * the repository (push protection and secret scanners would rightly flag one), and deterministic.
 */

/** `length` characters from `alphabet`, deterministic for a seed. */
export function randomish(
  length: number,
  seed: number,
  alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789',
): string {
  let state = seed >>> 0 || 1
  let out = ''
  for (let i = 0; i < length; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0
    out += alphabet.charAt((state >>> 8) % alphabet.length)
  }
  return out
}

const UPPER_DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'
const BASE64ISH = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+'

export const planted = {
  awsAccessKeyId: 'AK' + 'IA' + randomish(16, 1, UPPER_DIGITS),
  awsSessionKeyId: 'AS' + 'IA' + randomish(16, 2, UPPER_DIGITS),
  awsSecretAccessKey: randomish(40, 3, BASE64ISH),
  githubToken: 'gh' + 'p_' + randomish(36, 4),
  githubOauth: 'gh' + 'o_' + randomish(36, 5),
  githubFineGrained: 'github' + '_pat_' + randomish(22, 6) + '_' + randomish(59, 7),
  gitlabToken: 'gl' + 'pat-' + randomish(20, 8),
  slackToken: 'xo' + 'xb-' + randomish(12, 9, '0123456789') + '-' + randomish(24, 10),
  stripeKey: 'sk' + '_live_' + randomish(24, 11),
  googleApiKey: 'AI' + 'za' + randomish(35, 12),
  npmToken: 'np' + 'm_' + randomish(36, 13),
  dockerHubToken: 'dckr' + '_pat_' + randomish(27, 14),
  password: 'Pw-' + randomish(13, 15),
  shortPassword: 'hu' + 'nter2',
  privateKeyBody:
    randomish(64, 16, BASE64ISH) + '\n' + randomish(64, 17, BASE64ISH) + '\n' + randomish(20, 18, BASE64ISH),
}

export function privateKeyBlock(kind = 'RSA ', body = planted.privateKeyBody): string {
  return `-----BEGIN ${kind}PRIVATE KEY-----\n${body}\n-----END ${kind}PRIVATE KEY-----\n`
}

/** Every planted value, for "appears nowhere" assertions. */
export const ALL_PLANTED: readonly string[] = Object.values(planted)
