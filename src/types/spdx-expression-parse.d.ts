/** spdx-expression-parse ships no types: it parses an SPDX license expression and throws on a bad one. */
declare module 'spdx-expression-parse' {
  function parse(expression: string): unknown
  export default parse
}
