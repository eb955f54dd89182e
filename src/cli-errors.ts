/**
 * Configuration errors in the CLI's words: `config.ts` names action inputs (`input fail-on: …`), which a
 * CLI user never typed; the CLI names the flag instead (`--fail-on: …`). The action's messages are unchanged.
 */
import { INPUT_DEFINITIONS, type InputDefinition } from './config/inputs.js'

const FLAG_OF_INPUT: ReadonlyMap<string, string> = new Map(
  (INPUT_DEFINITIONS as readonly InputDefinition[]).flatMap((d) =>
    d.flag !== undefined ? [[d.name, d.flag] as const] : [],
  ),
)

/** `input fail-on: …` → `--fail-on: …`; `reports: …` → `--report: …`; `input image: …` → `IMAGE: …`. */
export function inFlagTerms(message: string): string {
  const match = /^(?:input )?([a-z][a-z0-9-]*): /.exec(message)
  if (match === null) return message
  const name = match[1] ?? ''
  const rest = message.slice(match[0].length)
  if (name === 'image' && message.startsWith('input '))
    return `IMAGE: ${rest.replace('`reports`', '--report')}`
  const flag = FLAG_OF_INPUT.get(name)
  return flag !== undefined ? `${flag}: ${rest}` : message
}
