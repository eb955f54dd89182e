/** The SBOM formats the `sbom-format` input accepts (kept apart so config validation loads no SBOM library). */
export const SBOM_FORMATS = ['cyclonedx-json', 'spdx-json'] as const
export type SbomFormat = (typeof SBOM_FORMATS)[number]

export function isSbomFormat(value: string): value is SbomFormat {
  return (SBOM_FORMATS as readonly string[]).includes(value)
}
