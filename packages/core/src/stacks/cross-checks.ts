import { randomInt } from 'node:crypto';
import type { CheckResult } from '../catalog/drill-record.js';
import type { RunContext } from '../context.js';
import type { Engine } from '../engines/engine.js';
import type { RestoredTarget } from '../engines/restored-target.js';
import { describeError } from '../report/errors.js';
import { redact } from '../report/secrets.js';
import type { CrossCheck } from './stack-file.js';

/** A member restored by a stack drill, up until the drill's cleanup. */
export interface RestoredMember {
  readonly asset: string;
  readonly engine: Engine<any, any, any>;
  readonly target: RestoredTarget;
}

/** How many missing keys a failed check names. */
export const MISSING_SHOWN = 5;

/** `count` keys chosen at random (all of them when there are no more). */
export function sampleKeys(keys: readonly string[], count: number | undefined, pick: (max: number) => number = randomInt): string[] {
  if (count === undefined || keys.length <= count) return [...keys];
  const pool = [...keys];
  // A partial Fisher–Yates shuffle: the first `count` places are a uniform sample.
  for (let i = 0; i < count; i++) {
    const j = i + pick(pool.length - i);
    [pool[i], pool[j]] = [pool[j]!, pool[i]!];
  }
  return pool.slice(0, count);
}

/** The result of a `keys-from`/`exist-in` check from the keys looked up and those missing. Pure. */
export function judgeKeysCheck(check: Extract<CrossCheck, { type: 'keys' }>, total: number, looked: number, missing: readonly string[]): CheckResult {
  const scope = looked < total ? `${looked} sampled of ${total}` : `${total}`;
  const base = { name: check.name, kind: 'keys-exist', expected: `every key of ${check.from} in ${check.existIn}` };
  if (missing.length === 0) return { ...base, ok: true, actual: `${scope} present` };
  const shown = missing.slice(0, MISSING_SHOWN).map((k) => `\`${k}\``).join(', ');
  return {
    ...base,
    ok: false,
    actual: `${missing.length} of ${scope} missing`,
    message: `${missing.length} key${missing.length === 1 ? '' : 's'} of ${check.from} missing in ${check.existIn}: ${shown}${missing.length > MISSING_SHOWN ? ', ...' : ''}`,
  };
}

/**
 * Runs the stack's cross-asset checks on the restored members: an engine check on one
 * member (`on`), or the keys one member's query returns looked up in another (optionally a
 * random sample). A check that cannot run fails with why; the others still run.
 */
export async function runCrossChecks(checks: readonly CrossCheck[], members: readonly RestoredMember[], context: RunContext): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const find = (asset: string) => members.find((m) => m.asset === asset);
  for (const check of checks) {
    try {
      if (check.type === 'on') {
        const member = find(check.on);
        if (!member) throw new Error(`asset ${check.on} was not restored`);
        const language = member.engine.drill.checks!;
        results.push(...(await language.run(member.target, language.parse([check.entry], `check "${check.name}"`), context)).map((r: CheckResult) => ({ ...r, name: check.name })));
        continue;
      }
      const from = find(check.from);
      const into = find(check.existIn);
      if (!from || !into) throw new Error(`asset ${!from ? check.from : check.existIn} was not restored`);
      const keys = await from.engine.stack!.keyQuery!.run(from.target, check.query, context);
      const looked = sampleKeys(keys, check.sample);
      const missing = await into.engine.stack!.missing!(into.target, looked, context);
      results.push(judgeKeysCheck(check, keys.length, looked.length, missing));
    } catch (error) {
      results.push({ name: check.name, kind: check.type === 'on' ? 'cross-asset' : 'keys-exist', ok: false, actual: 'error', message: redact(describeError(error)) });
    }
  }
  return results;
}
