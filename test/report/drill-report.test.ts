/**
 * `actions/restore-drill` with `report: true`, from its source like a runner would run it: a
 * real files backup, an earlier drill whose record is unsigned, then the action's drill signed
 * with the drill key. The job summary gets the drill's evidence and then the history report in
 * Markdown; the evidence folder gets the HTML report, which shows this drill as verified and
 * the earlier unsigned record as rejected.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { backup, backupOperation, drill, drillOperation, generateKeyPair, objectSource, resolveOptions } from '@lifeboat/core';
import { testContext } from '../backup/support.js';
import { SAMPLE_PATHS, writeSample } from '../files/sample.js';
import { runBundledAction } from '../support/run-action.js';
import { tempFolder } from '../support/temp-folders.js';

let encryption: Awaited<ReturnType<typeof generateKeyPair>>;
let drillSigner: Awaited<ReturnType<typeof generateKeyPair>>;

beforeAll(async () => {
  [encryption, drillSigner] = await Promise.all([generateKeyPair({ name: 'Report drill test' }), generateKeyPair({ name: 'Report drill signer', purpose: 'sign' })]);
});

describe('restore-drill with report: true', () => {
  it('writes the Markdown report to the job summary and the HTML report beside the evidence', async () => {
    const root = tempFolder('lifeboat-files-root-');
    writeSample(root);
    const store = tempFolder('lifeboat-store-');
    const backedUp = await backup(resolveOptions(backupOperation, objectSource({ store, name: 'app-config', paths: SAMPLE_PATHS, 'files-root': root, recipients: encryption.publicKey })), testContext());
    expect(backedUp.failure).toBeUndefined();
    // An earlier drill without a signing key: its record is unsigned.
    const earlier = await drill(
      resolveOptions(drillOperation, objectSource({ store, name: 'app-config', identity: encryption.privateKey, 'allow-unsigned': 'true', 'evidence-dir': tempFolder('lifeboat-evidence-') })),
      testContext(),
    );
    expect(earlier.ok).toBe(true);

    const evidence = tempFolder('lifeboat-evidence-');
    const run = await runBundledAction(
      'restore-drill',
      {
        store,
        name: 'app-config',
        identity: encryption.privateKey,
        'allow-unsigned': 'true',
        'signing-key': drillSigner.privateKey,
        'evidence-dir': evidence,
        'max-rpo': '26h',
        'max-rto': '1h',
        'drill-every': '31d',
        report: 'true',
      },
      {},
      true,
    );
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const drillId = run.outputs['drill-id']!;
    expect(drillId).toBeTruthy();

    // The drill's own evidence first, then the report.
    const summary = run.summary;
    expect(summary.indexOf('## Lifeboat report: app-config')).toBeGreaterThan(summary.indexOf(drillId));
    expect(summary).toContain('1 drill (1 passed, 0 failed, 0 inconclusive) · 1 drill record rejected');
    expect(summary).toContain(`| ${drillId} |`);
    expect(summary).toContain(`- Drill record app-config/drills/${String(earlier.outputs['drill-id'])}.json is ignored: it has no signature`);

    const html = readdirSync(evidence).find((f) => f.startsWith('report-'));
    expect(html).toBe('report-app-config.html');
    const page = readFileSync(join(evidence, html!), 'utf8');
    expect(page).toContain(`verified <span class="hash">${drillSigner.fingerprint}</span>`);
    expect(page).toContain(drillId);
    expect(page.match(/<svg class="chart"/g)).toHaveLength(4);
    expect(run.stdout).toContain(`History report: ${join(evidence, 'report-app-config.html')}`);
  });
});
