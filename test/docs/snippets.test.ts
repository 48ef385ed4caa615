import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadSqlChecks } from '@lifeboat/core';
import { parseChecks as parseFilesChecks } from '../../packages/core/src/engines/files/checks.js';
import { parseChecks as parseRedisChecks } from '../../packages/core/src/engines/redis/checks.js';
import { documentationSnippets, snippetKind, snippetProblems, yamlBlocks, type Snippet } from './snippets.js';

const root = resolve(import.meta.dirname, '..', '..');
const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
/** The major tag the release workflow moves: what every snippet must reference. */
const major = `v${version.split('.')[0]}`;
const snippets = documentationSnippets(root);

describe('YAML snippets in README.md and docs/', () => {
  it('are found (the workflows, the checks files, the reusable workflow call)', () => {
    expect(snippets.length).toBeGreaterThanOrEqual(7);
    expect(snippets.filter((s) => snippetKind(parse(s.text)) === 'workflow').length).toBeGreaterThanOrEqual(5);
  });

  it.each(snippets.map((s) => [s.where, s] as const))('%s works as pasted', (_, snippet) => {
    expect(snippetProblems(root, snippet, major)).toEqual([]);
  });

  it.each(snippets.filter((s) => snippetKind(parse(s.text)) === 'checks').map((s) => [s.where, s] as const))('%s is a checks file the drill accepts', (_, snippet) => {
    const entries = parse(snippet.text) as Record<string, unknown>[];
    if (entries.some((e) => 'command' in e)) expect(parseRedisChecks(entries)).toHaveLength(entries.length);
    else if (entries.some((e) => 'path' in e)) expect(parseFilesChecks(entries)).toHaveLength(entries.length);
    else expect(loadSqlChecks(snippet.text)).toHaveLength(entries.length);
  });
});

describe('the snippet check', () => {
  const bad: Snippet = {
    where: 'bad.md:1',
    text: `
jobs:
  drill:
    runs-on: ubuntu-24.04
    steps:
      - uses: <owner>/lifeboat/actions/restore-drill@v0
        with:
          store: s3://my-backups/lifeboat
          checks: .github/lifeboat-checks.yml
          no-such-input: x
  gate:
    runs-on: ubuntu-24.04
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with: { role-to-assume: arn, aws-region: eu-central-1 }
      - uses: <owner>/lifeboat/actions/backup-gate@v1
        with: { name: app, store: s3://b/p }
  call:
    uses: <owner>/lifeboat/.github/workflows/backup.yml@v1
    with: { store: s3://b/p, keep-hourly: 3, lifeboat-ref: v0 }
`,
  };

  it('names each problem: major, unknown and missing inputs, no checkout, no credentials, no id-token', () => {
    expect(snippetProblems(root, bad, 'v1')).toEqual([
      'bad.md:1 job drill step 1 (restore-drill): @v0; the release makes v1',
      "bad.md:1 job drill step 1 (restore-drill): input 'no-such-input' is not declared by actions/restore-drill",
      'bad.md:1 job drill step 1 (restore-drill): checks: .github/lifeboat-checks.yml is read from the repository, but no actions/checkout step comes before it',
      'bad.md:1 job drill step 1 (restore-drill): store s3://my-backups/lifeboat but no credentials step (aws-actions/configure-aws-credentials) before it',
      'bad.md:1 job gate step 2 (backup-gate): the OIDC login needs permissions id-token: write',
      'bad.md:1 job call: lifeboat-ref v0 differs from the ref of the uses: line (v1)',
      "bad.md:1 job call: input 'keep-hourly' is not declared by .github/workflows/backup.yml",
      'bad.md:1 job call: an s3:// store but no aws-role-arn for the workflow\'s AWS login',
      'bad.md:1 job call: an s3:// store but no id-token: write permission for the OIDC login',
    ]);
  });

  it('reports YAML that does not parse, and finds blocks indented inside list items', () => {
    expect(snippetProblems(root, { where: 'x.md:3', text: 'jobs: [' }, 'v1')[0]).toMatch(/^x\.md:3: not valid YAML/);
    const blocks = yamlBlocks('y.md', 'text\n\n1. step\n\n   ```yaml\n   - name: a\n     expect: = 1\n   ```\n');
    expect(blocks).toEqual([{ where: 'y.md:5', text: '- name: a\n  expect: = 1\n' }]);
  });
});
