/**
 * Why a JSON text did not parse, without quoting it: V8's `JSON.parse` messages quote the start of the
 * text (`Unexpected token 'h', "hunter2…" is not valid JSON`), and a configuration path pointed at a
 * password file must not print its first line. Keeps only the position V8 gives, when it gives one.
 */
export function jsonSyntaxProblem(error: unknown, text: string): string {
  const message = error instanceof Error ? error.message : ''
  const position = /position (\d+)/.exec(message)?.[1]
  if (position !== undefined) {
    const before = text.slice(0, Number(position))
    const line = before.split('\n').length
    const column = Number(position) - before.lastIndexOf('\n')
    return `not valid JSON (syntax error at line ${line}, column ${column})`
  }
  if (/Unexpected end of JSON input/.test(message)) return 'not valid JSON (it ends early)'
  return 'not valid JSON'
}
