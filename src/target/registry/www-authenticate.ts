/**
 * `WWW-Authenticate` challenges (RFC 7235 §4.1: `scheme param=value, param="quoted value"`, several
 * challenges in one header). A registry answers 401 with `Bearer realm="…",service="…",scope="…"` for the
 * token flow (distribution/distribution docs/spec/auth/token.md, "How to authenticate") or `Basic
 * realm="…"` for htpasswd (registry/auth/htpasswd/access.go). Pure.
 */

export interface AuthChallenge {
  /** Lower-cased: `bearer`, `basic`. */
  scheme: string
  /** Parameter names lower-cased. */
  params: Record<string, string>
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+/

/** Every challenge in `header`, in order; malformed tails are dropped, never thrown. */
export function parseWwwAuthenticate(header: string): AuthChallenge[] {
  const challenges: AuthChallenge[] = []
  let rest = header.trim()
  let current: AuthChallenge | undefined
  while (rest !== '') {
    rest = rest.replace(/^[\s,]+/, '')
    const name = TOKEN.exec(rest)?.[0]
    if (name === undefined) break
    const after = rest.slice(name.length)
    const param = /^\s*=\s*/.exec(after)
    if (param && current !== undefined) {
      rest = after.slice(param[0].length)
      let value: string
      if (rest.startsWith('"')) {
        let i = 1
        value = ''
        while (i < rest.length && rest[i] !== '"') {
          if (rest[i] === '\\' && i + 1 < rest.length) i++
          value += rest[i]!
          i++
        }
        rest = rest.slice(i + 1)
      } else {
        value = TOKEN.exec(rest)?.[0] ?? ''
        rest = rest.slice(value.length)
      }
      current.params[name.toLowerCase()] = value
    } else {
      current = { scheme: name.toLowerCase(), params: {} }
      challenges.push(current)
      rest = after
      // A token68 credential after the scheme (`Negotiate abc==`) is not a parameter: skip it.
      const token68 = /^\s+([A-Za-z0-9._~+/-]+=*)\s*(?:,|$)/.exec(rest)
      if (token68 && !/^\s*=/.test(rest.slice(token68[0].length))) rest = rest.slice(token68[0].length)
    }
  }
  return challenges
}
