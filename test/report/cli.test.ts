/**
 * `lifeboat report` as operators run it: the real CLI in a process of its own over a year of
 * history in a real folder store, with the real clock (so the year's end is long past and
 * things are overdue). Bad input is named, exits non-zero and writes nothing.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ReportModel } from '../../packages/core/src/history-report/model.js';
import { runCli } from '../support/cli.js';
import { tempFolder } from '../support/temp-folders.js';
import { NAME, writeYear, type Year } from './year.js';

let year: Year;

beforeAll(async () => {
  year = await writeYear();
}, 180_000);

/** This process's env without any `LIFEBOAT_*` setting, plus the given ones. */
function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('LIFEBOAT_')));
  return { ...clean, ...extra };
}

const TARGETS = ['--max-rpo', '26h', '--max-rto', '2m', '--drill-every', '35d'];

describe('lifeboat report', () => {
  it('--format md prints the Markdown report and exits 0', async () => {
    const run = await runCli(['report', '--store', year.folder, '--since', '2025-01-01', '--format', 'md', ...TARGETS], env({ LIFEBOAT_SIGNING_PUBLIC_KEY: year.signer.publicKey }));
    expect(run.code, run.output).toBe(0);
    expect(run.output).toContain('## Lifeboat report: app');
    expect(run.output).toContain('365 backups · 11 drills (10 passed, 1 failed, 0 inconclusive) · 2 drill records rejected');
    expect(run.output).toContain('| Drill results | ✅✅❌✅✅✅✅✅✅✅✅ | 11 |');
    expect(run.output).toMatch(/\| 2025-Q1 \| max-rpo \| 1d 2h \| ❌ missed: drill 20250305T100000Z-drillc failed \|/);
    // The year ended long before the real clock: both the cadence and the backups are overdue
    // (an age shows its two largest units that are not zero: `342d 19m` in the hour after 02:00).
    expect(run.output).toMatch(/- ⚠️ app: the newest passing drill is \d+d( \d+[hms])? old \\\(2025-12-05T10:01:55\.000Z; target 35d\\\)\./);
    expect(run.output).toMatch(/- ⚠️ app: the newest backup is \d+d( \d+[hms])? old \\\(2025-12-31T02:00:00\.000Z; target 1d 2h\\\)\./);
    // The rejected records are warnings on stderr too.
    expect(run.output).toContain(`warning: Drill record ${NAME}/drills/${year.unsignedId}.json is ignored`);
  });

  it('--format json --out writes the model to the file; --json prints the outputs', async () => {
    const dir = tempFolder('lifeboat-report-out-');
    const out = join(dir, 'report.json');
    const run = await runCli(['report', '--store', year.folder, '--name', NAME, '--since', '2025-01-01', '--format', 'json', '--out', out, '--json', ...TARGETS], env({ LIFEBOAT_SIGNING_PUBLIC_KEY: year.signer.publicKey }));
    expect(run.code, run.output).toBe(0);
    const model = JSON.parse(readFileSync(out, 'utf8')) as ReportModel;
    expect(model.totals).toMatchObject({ backups: 365, drills: 11, pass: 10, fail: 1, rejected: 2, overdue: 2 });
    expect(readdirSync(dir)).toEqual(['report.json']);
    const document = JSON.parse(run.output.slice(run.output.indexOf('{'), run.output.lastIndexOf('}') + 1)) as { ok: boolean; outputs: Record<string, unknown> };
    expect(document.ok).toBe(true);
    expect(document.outputs).toMatchObject({ names: NAME, backups: 365, drills: 11, 'rejected-drills': 2, overdue: 2, path: out });
  });

  it.each([
    { title: 'no store', args: ['--format', 'md'], message: 'Missing required --store (or LIFEBOAT_STORE)' },
    { title: 'a store folder that does not exist', args: ['--store', '/nonexistent/lifeboat-store', '--format', 'md'], message: 'The store folder /nonexistent/lifeboat-store does not exist.' },
    { title: 'a --since that is no date', args: ['--store', '.', '--since', 'last tuesday'], message: "Invalid --since (or LIFEBOAT_SINCE) (got 'last tuesday'): expected a time like `2026-01-01`" },
    { title: 'a --since that is no calendar date', args: ['--store', '.', '--since', '2025-02-30'], message: "Invalid --since (or LIFEBOAT_SINCE) (got '2025-02-30')" },
    { title: 'a --since in the future', args: ['--store', '.', '--since', '2999-01-01'], message: '`since` (2999-01-01T00:00:00.000Z) is not in the past' },
    { title: 'an unknown format', args: ['--store', '.', '--format', 'pdf'], message: "argument 'pdf' is invalid. Allowed choices are html, md, json." },
    { title: 'a bad target', args: ['--store', '.', '--max-rto', 'soon'], message: "Invalid --max-rto (or LIFEBOAT_MAX_RTO) (got 'soon')" },
    { title: 'both --name and --stack', args: ['--store', '.', '--name', 'app', '--stack', 'lifeboat.yml'], message: 'Both `stack` and `name` are set' },
  ])('$title: a clear error, exit 1, nothing written', async ({ args, message }) => {
    const dir = tempFolder('lifeboat-report-bad-');
    const out = join(dir, 'report.html');
    const run = await runCli(['report', ...args.map((a) => (a === '.' ? year.folder : a)), '--out', out], env());
    expect(run.code, run.output).toBe(1);
    expect(run.output).toContain(message);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('an --out whose folder does not exist is named before anything is read', async () => {
    const run = await runCli(['report', '--store', year.folder, '--out', '/nonexistent/folder/report.html'], env());
    expect(run.code).toBe(1);
    expect(run.output).toContain('error: The folder of `out` (/nonexistent/folder) does not exist. Create it first, or give another path.');
  });
});
