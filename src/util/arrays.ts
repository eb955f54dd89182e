/**
 * Array helpers that never spread an array into a call's arguments: `push(...items)` and
 * `Math.max(...items)` put every element on the stack and throw `RangeError: Maximum call stack size
 * exceeded` past about 100,000 elements, which a scanner report of the documented size reaches.
 */

/** Appends every item of `items` to `target` (in place) and returns `target`. */
export function appendAll<T>(target: T[], items: Iterable<T>): T[] {
  for (const item of items) target.push(item)
  return target
}

/** The largest of `values`, or undefined when there are none. */
export function maxOf(values: Iterable<number>): number | undefined {
  let best: number | undefined
  for (const value of values) if (best === undefined || value > best) best = value
  return best
}
