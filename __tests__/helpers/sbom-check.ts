/**
 * Validates SBOMs against the official schemas: CycloneDX 1.6 with the validator @cyclonedx/cyclonedx-library
 * ships (its bundled bom-1.6 JSON schema, strict), SPDX 2.3 with the schema of spdx/spdx-spec at tag v2.3
 * (`schemas/spdx-schema.json`, vendored as __fixtures__/spdx-schema-2.3.json).
 */
import { readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as CDX from '@cyclonedx/cyclonedx-library'
import Ajv from 'ajv'
import type { ValidateFunction } from 'ajv'
import addFormats from 'ajv-formats'

const here = dirname(fileURLToPath(import.meta.url))

/** The CycloneDX validation errors, or undefined when the document is valid. */
export async function cycloneDxErrors(json: string): Promise<unknown> {
  const validator = new CDX.Validation.JsonStrictValidator(CDX.Spec.Version.v1dot6)
  return (await validator.validate(json)) ?? undefined
}

let spdxValidate: ValidateFunction | undefined

/** The SPDX 2.3 schema errors, or undefined when the document is valid. */
export function spdxErrors(json: string): unknown {
  if (spdxValidate === undefined) {
    const schema = JSON.parse(
      readFileSync(join(here, '..', '__fixtures__', 'spdx-schema-2.3.json'), 'utf8'),
    ) as object
    const ajv = new Ajv.default({ strict: false, allErrors: true })
    addFormats.default(ajv)
    spdxValidate = ajv.compile(schema)
  }
  return spdxValidate(JSON.parse(json)) ? undefined : spdxValidate.errors
}
