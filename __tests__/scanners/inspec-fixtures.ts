/**
 * InSpec / Cinc Auditor reports in the reporters' real layouts (`json`, `json-automate`, `json-min`),
 * written by the tests. Shapes follow InSpec's reporters (lib/inspec/reporters/json.rb, json_min.rb,
 * json_automate.rb) and their upstream fixtures.
 */

export interface ResultSpec {
  status: 'passed' | 'failed' | 'skipped' | 'error'
  code_desc: string
  message?: string
  skip_message?: string
}

export interface ControlSpec {
  id: string
  title?: string | null
  impact?: number
  results: ResultSpec[]
  refs?: { ref?: string; url?: string }[]
  waiver?: string
}

export interface ProfileSpec {
  name: string
  parent?: string
  status?: string
  statusMessage?: string
  controls: ControlSpec[]
}

function control(c: ControlSpec, profile: string): Record<string, unknown> {
  return {
    id: c.id,
    title: c.title === undefined ? `Title of ${c.id}` : c.title,
    desc: `Description of ${c.id}`,
    descriptions: [{ label: 'default', data: `Description of ${c.id}` }],
    ...(c.impact !== undefined ? { impact: c.impact } : {}),
    refs: c.refs ?? [],
    tags: { cis: `docker:${c.id}`, level: 1 },
    code: `control '${c.id}' do\n  impact ${c.impact ?? 0.5}\nend\n`,
    source_location: { line: 3, ref: `${profile}/controls/example.rb` },
    waiver_data:
      c.waiver !== undefined ? { justification: c.waiver, run: true, skipped_due_to_waiver: false } : {},
    results: c.results.map((r) => ({
      status: r.status,
      code_desc: r.code_desc,
      run_time: 0.000123,
      start_time: '2026-01-02T03:04:05+00:00',
      ...(r.message !== undefined ? { message: r.message } : {}),
      ...(r.skip_message !== undefined ? { skip_message: r.skip_message } : {}),
      resource: 'docker_container',
    })),
  }
}

/** The `json` reporter (`json-automate` has the same layout). */
export function inspecReport(profiles: ProfileSpec[], version = '6.8.24'): string {
  return JSON.stringify({
    platform: { name: 'docker', release: '28.0.1', target_id: 'd00d' },
    profiles: profiles.map((p) => ({
      name: p.name,
      version: '1.0.0',
      sha256: 'f'.repeat(64),
      title: `${p.name} profile`,
      maintainer: 'DevSec',
      summary: 'test',
      license: 'Apache-2.0',
      copyright: 'DevSec',
      copyright_email: 'hello@dev-sec.io',
      supports: [],
      attributes: [],
      ...(p.parent !== undefined ? { parent_profile: p.parent } : {}),
      groups: [{ id: 'controls/example.rb', controls: p.controls.map((c) => c.id) }],
      controls: p.controls.map((c) => control(c, p.name)),
      status: p.status ?? 'loaded',
      ...(p.statusMessage !== undefined ? { status_message: p.statusMessage } : {}),
    })),
    statistics: {
      duration: 1.5,
      controls: { total: 0, passed: { total: 0 }, skipped: { total: 0 }, failed: { total: 0 } },
    },
    version,
  })
}

/** The `json-min` reporter: one row per result. */
export function inspecMinReport(rows: ({ id: string; profile_id: string } & ResultSpec)[]): string {
  return JSON.stringify({
    controls: rows.map((r) => ({ profile_sha256: 'e'.repeat(64), ...r })),
    statistics: { duration: 0.5 },
    version: '6.8.24',
  })
}

/** A CIS Docker Benchmark run with one failed control of impact 1.0, one passed, one skipped, one failed 0.5. */
export function inspecJson(): string {
  return inspecReport([
    {
      name: 'cis-docker-benchmark',
      controls: [
        {
          id: 'cis-docker-benchmark-4.1',
          title: 'Create a user for the container',
          impact: 1.0,
          refs: [{ ref: 'CIS', url: 'https://www.cisecurity.org/benchmark/docker' }, { ref: 'no url' }],
          results: [
            {
              status: 'failed',
              code_desc: 'Docker Container app should not be running as root',
              message: 'expected "root" not to eq "root"',
            },
            { status: 'passed', code_desc: 'Docker Container app should have a user' },
          ],
        },
        {
          id: 'cis-docker-benchmark-4.6',
          impact: 1.0,
          results: [{ status: 'passed', code_desc: 'healthcheck is set' }],
        },
        {
          id: 'cis-docker-benchmark-5.1',
          impact: 0.7,
          results: [
            {
              status: 'skipped',
              code_desc: 'AppArmor',
              skip_message: 'Skipped control due to only_if condition',
            },
          ],
        },
        {
          id: 'os-02',
          impact: 0.5,
          results: [{ status: 'failed', code_desc: 'File /etc/shadow should not be readable by other' }],
        },
      ],
    },
  ])
}
