/**
 * Valid configuration and compliance reports (Dockle, hadolint, Docker Bench, InSpec) and a SARIF log, in
 * each tool's real layout, for the fuzz tests to mutate.
 */
export const dockle = {
  image: 'registry.example/app:1.2',
  summary: { fatal: 1, warn: 1, info: 1, skip: 0, pass: 10 },
  details: [
    {
      code: 'CIS-DI-0001',
      title: 'Create a user for the container',
      level: 'WARN',
      alerts: ['Last user should not be root'],
    },
    {
      code: 'CIS-DI-0010',
      title: 'Do not store credential in environment variables/files',
      level: 'FATAL',
      alerts: [
        'Suspicious ENV key found : DB_PASSWORD on ENV DB_PASSWORD=hunter2 (You can suppress it with --accept-key)',
      ],
    },
    {
      code: 'CIS-DI-0005',
      title: 'Enable Content trust for Docker',
      level: 'INFO',
      alerts: ['export DOCKER_CONTENT_TRUST=1'],
    },
  ],
}

export const hadolint = [
  {
    code: 'DL3008',
    column: 1,
    file: 'Dockerfile',
    level: 'warning',
    line: 9,
    message: 'Pin versions in apt get install.',
  },
  {
    code: 'SC2086',
    column: 14,
    file: 'Dockerfile',
    level: 'info',
    line: 12,
    message: 'Double quote to prevent globbing.',
  },
  { code: 'DL3000', column: 1, file: 'Dockerfile', level: 'error', line: 3, message: 'Use absolute WORKDIR' },
]

export const dockerBench = {
  dockerbenchsecurity: '1.6.1',
  start: 1700000000,
  tests: [
    {
      id: '4',
      desc: 'Container Images',
      results: [
        {
          id: '4.1',
          desc: 'Ensure that a user for the container has been created (Automated)',
          result: 'WARN',
          details: 'running as root: abcdef123456',
          items: ['abcdef123456'],
          remediation: 'Add a USER instruction to the Dockerfile.',
          'remediation-impact': 'None.',
        },
        { id: '4.2', desc: 'Ensure that containers use only trusted base images (Manual)', result: 'NOTE' },
        {
          id: '4.9',
          desc: 'Ensure that COPY is used instead of ADD in Dockerfiles (Manual)',
          result: 'PASS',
        },
      ],
    },
    {
      id: '5',
      desc: 'Container Runtime',
      results: [
        {
          id: '5.28',
          desc: 'Ensure that the PIDs cgroup limit is used (Automated)',
          result: 'WARN',
          details: 'No limit',
        },
      ],
    },
  ],
  checks: 4,
  score: -1,
  end: 1700000100,
}

export const inspec = {
  platform: { name: 'docker', release: '28.0.1', target_id: 'd00d' },
  profiles: [
    {
      name: 'cis-docker-benchmark',
      version: '2.1.0',
      status: 'loaded',
      controls: [
        {
          id: 'docker-4.1',
          title: 'Create a user for the container',
          desc: 'Create a non-root user for the container.',
          impact: 0.7,
          refs: [{ url: 'https://www.cisecurity.org/benchmark/docker' }],
          tags: { cis: 'docker:4.1', level: 1 },
          source_location: { line: 3, ref: 'cis/controls/host.rb' },
          results: [
            {
              status: 'failed',
              code_desc: 'Container User should not eq "root"',
              message: 'expected "root" not to eq "root"',
            },
            { status: 'passed', code_desc: 'Container should be running' },
          ],
        },
        {
          id: 'docker-5.10',
          title: null,
          impact: 0.3,
          results: [{ status: 'skipped', code_desc: 'memory', skip_message: 'not applicable' }],
        },
      ],
    },
  ],
  statistics: { duration: 1.5 },
  version: '6.8.24',
}

export const sarif = {
  $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
  version: '2.1.0',
  runs: [
    {
      tool: {
        driver: {
          name: 'Trivy',
          version: '0.50.0',
          rules: [
            {
              id: 'CVE-2024-0727',
              shortDescription: { text: 'openssl: denial of service' },
              fullDescription: { text: 'Processing a maliciously formatted PKCS12 file may crash.' },
              help: { text: 'Upgrade openssl', markdown: '**Upgrade** openssl' },
              properties: { 'security-severity': '5.5', tags: ['vulnerability', 'security', 'MEDIUM'] },
            },
          ],
        },
      },
      results: [
        {
          ruleId: 'CVE-2024-0727',
          ruleIndex: 0,
          level: 'warning',
          message: {
            text: 'Package: openssl\nInstalled Version: 3.1.4-r0\nVulnerability CVE-2024-0727\nFixed Version: 3.1.4-r5',
          },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: 'app/Dockerfile', uriBaseId: 'ROOTPATH' },
                region: { startLine: 3, startColumn: 1, endLine: 3, endColumn: 1 },
              },
            },
          ],
          partialFingerprints: { primaryLocationLineHash: 'abc:1' },
        },
      ],
    },
  ],
}
