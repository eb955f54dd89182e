import { expect } from '@jest/globals'

/** The error `run` throws, checked to be an `errorClass`; a test fails when nothing is thrown. */
export function thrownBy(run: () => unknown, errorClass: abstract new (...args: never[]) => Error): Error {
  try {
    run()
  } catch (error) {
    expect(error).toBeInstanceOf(errorClass)
    return error as Error
  }
  throw new Error(`expected a ${errorClass.name}, nothing was thrown`)
}
