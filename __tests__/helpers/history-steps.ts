/**
 * History matching test input: a Dockerfile instruction as a build step, and a history `created_by` line
 * matched against it.
 */
import { parseDockerfile } from '../../src/findings/dockerfile.js'
import { historyMatches, parseHistoryEntry, type ChainStep } from '../../src/findings/history-match.js'

/** The last instruction of `FROM alpine` followed by `body`, as a step under the default shell. */
export function stepOf(body: string, extra: Partial<ChainStep> = {}): ChainStep {
  const model = parseDockerfile(`FROM alpine\n${body}\n`, 'Dockerfile')
  const instructions = model.stages[0]!.instructions
  return { instruction: instructions[instructions.length - 1]!, shell: ['/bin/sh', '-c'], ...extra }
}

/** Whether the history line `createdBy` records `step`. */
export function historyLineMatches(createdBy: string, step: ChainStep): boolean {
  return historyMatches(parseHistoryEntry(createdBy), step)
}
