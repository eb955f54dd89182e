/** Reads the action's inputs into `Inputs` (the edge: the caller passes `core.getInput`). */
import { INPUT_DEFINITIONS, splitLines, splitList, type Inputs } from './inputs.js'

export function readActionInputs(getInput: (name: string) => string): Inputs {
  const inputs: Inputs = {}
  const values = inputs as Record<string, string | string[]>
  for (const definition of INPUT_DEFINITIONS) {
    const raw = getInput(definition.name)
    if (raw.trim() === '') continue
    // Image names and report paths may contain commas: one per line. Other lists take commas too.
    if (definition.kind === 'lines') values[definition.name] = splitLines(raw)
    else if (definition.kind === 'list') values[definition.name] = splitList(raw)
    else values[definition.name] = raw
  }
  return inputs
}
