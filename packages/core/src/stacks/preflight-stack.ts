import type { RunContext } from '../context.js';
import { ENGINES } from '../engines/registry.js';
import type { BackupOptions } from '../options/backup.js';
import type { PreflightOptions } from '../options/preflight.js';
import { Checks } from '../preflight/checks.js';
import { runSharedChecks, runSourceChecks } from '../preflight/preflight.js';
import { judgePreflight, MEMBER_REQUIRED_CHECKS, renderPreflightTable, STACK_REQUIRED_CHECKS, type PreflightCheck } from '../preflight/verdict.js';
import type { OperationOutcome } from '../report/outcome.js';
import { referencedVariables } from './env-refs.js';
import { planMember } from './plan-member.js';
import { readStackFile, type StackFile } from './stack-file.js';
import { checkStackStore } from './stack-store.js';

/** One failed check of a stack preflight: the table (`stack` or an asset), the check and what it found. */
interface StackProblem {
  readonly table: string;
  readonly check: string;
  readonly detail: string;
}

/**
 * `lifeboat preflight --stack` (and `backup --stack` with `preflight: true`): the stack's own
 * checks once (the file, every `${VAR}` it references, keys, signing, settings, the store
 * probed), then every member's source checks, one table each. Reads no data and writes
 * nothing but the store's probe object; fails naming each member and check that failed.
 */
export async function preflightStack(options: PreflightOptions | BackupOptions, context: RunContext): Promise<OperationOutcome> {
  const { reporter } = context;
  const checks = new Checks(false);
  const stack = await checks.run('stack file', async () => {
    const file = readStackFile(options.stack!, ENGINES);
    checkStackStore(file, options.store, context.env);
    return { value: file, detail: `${file.where}: stack \`${file.name}\`, ${file.assets.length} asset${file.assets.length === 1 ? '' : 's'} (${file.assets.map((a) => `${a.name}: ${a.engine}`).join(', ')}).` };
  });
  if (stack) await checks.run('references', async () => ({ value: true, detail: checkReferences(stack, context.env) }));
  else checks.skip('references', 'Needs a valid stack file.');
  await runSharedChecks(options, context, checks, { failFast: false });

  const problems: StackProblem[] = rowsFailed('stack', checks.rows, STACK_REQUIRED_CHECKS);
  const title = `Lifeboat preflight: stack ${stack?.name ?? options.stack}`;
  await reporter.summary(renderPreflightTable(checks.rows, judgePreflight(checks.rows, STACK_REQUIRED_CHECKS), title));

  const unchecked: string[] = [];
  const members: { asset: string; checks: PreflightCheck[] }[] = [];
  for (const asset of stack?.assets ?? []) {
    const rows = await reporter.group(`Stack ${stack!.name}: preflight of ${asset.name}`, async () => {
      const member = new Checks(false);
      const opts = await member.run('settings', async () => ({ value: planMember({ ...options, preflight: false } as BackupOptions, stack!, asset, context), detail: `Expanded and matched to ${asset.engine}.` }));
      if (opts) await runSourceChecks(opts, context, member, false);
      else member.skip('source', 'Needs the asset\'s settings.');
      return member.rows;
    });
    members.push({ asset: asset.name, checks: rows });
    const required = ['settings', ...MEMBER_REQUIRED_CHECKS];
    problems.push(...rowsFailed(asset.name, rows, required));
    const source = rows.find((r) => r.name === 'source');
    if (source?.status === 'warn' && source.detail.startsWith('Not checked')) unchecked.push(`${asset.name} (${asset.engine})`);
    await reporter.summary(renderPreflightTable(rows, judgePreflight(rows, required), `${title}: ${asset.name} (${asset.engine})`));
  }

  const ok = problems.length === 0;
  const note = unchecked.length > 0 ? ` Not checked before a backup: ${unchecked.join(', ')}; their engines have no preflight checks yet.` : '';
  if (note) reporter.warning(note.trim());
  const failed = problems.map((p) => `${p.table}: ${p.check}`);
  return {
    ok,
    failure: ok ? undefined : `Preflight of stack ${stack?.name ?? options.stack} failed: ${problems.map((p) => `${p.table}: ${p.check} (${p.detail})`).join('; ')}.${note}`,
    outputs: { passed: ok, failed: failed.join(',') },
    data: { stack: stack?.name, checks: checks.rows, members, failed, unchecked },
  };
}

/** Every `${VAR}` the file references (store and every asset's settings), each set; throws listing all that are not. */
function checkReferences(stack: StackFile, env: Readonly<Record<string, string | undefined>>): string {
  const places: { where: string; value: string }[] = [];
  if (stack.store !== undefined) places.push({ where: '`store`', value: stack.store });
  for (const asset of stack.assets) {
    for (const [option, value] of Object.entries(asset.settings)) places.push({ where: `asset \`${asset.name}\` setting \`${option}\``, value });
  }
  const used = new Set<string>();
  const missing: string[] = [];
  for (const { where, value } of places) {
    for (const name of referencedVariables(value)) {
      used.add(name);
      if (env[name] === undefined || env[name] === '') missing.push(`\${${name}} (${where})`);
    }
  }
  if (missing.length > 0) {
    const names = [...new Set(missing.map((m) => m.slice(2, m.indexOf('}'))))];
    throw new Error(`${stack.where} references ${missing.join(', ')}, not set in the environment. Set ${names.join(', ')} (as secrets passed in the step's \`env:\` in Actions, or exported in the shell).`);
  }
  return used.size === 0 ? 'The file references no environment variables.' : `Set: ${[...used].join(', ')}.`;
}

function rowsFailed(table: string, rows: readonly PreflightCheck[], required: readonly string[]): StackProblem[] {
  const verdict = judgePreflight(rows, required);
  return verdict.failed.map((check) => ({ table, check, detail: rows.find((r) => r.name === check)?.detail ?? 'did not run' }));
}
