import { ENGINES } from '../engines/registry.js';
import type { OptionSource } from '../options/define.js';
import { OptionError } from '../report/errors.js';
import { expandReferences } from './env-refs.js';
import { readStackFile, type StackFile } from './stack-file.js';

/** The store a stack file names must be the one the run uses: members and record go there. */
export function checkStackStore(stack: StackFile, store: string, env: Readonly<Record<string, string | undefined>>): void {
  if (stack.store === undefined) return;
  const named = expandReferences(stack.store, env, `${stack.where}: \`store\``);
  if (named !== store) {
    throw new OptionError(`${stack.where} names store ${named}, but the run was given store ${store}.`, 'Leave `store` unset to use the stack file\'s, or make them the same.');
  }
}

/**
 * An option source whose `store` falls back to the stack file's when `stack` is set and no
 * store is given, so `lifeboat backup --stack lifeboat.yml` needs nothing else. A stack file
 * that is missing or invalid is reported then, naming the line, rather than as a missing store.
 */
export function withStackStore(source: OptionSource, env: Readonly<Record<string, string | undefined>>, cwd: string = process.cwd()): OptionSource {
  return {
    ...source,
    get(option) {
      const given = source.get(option);
      if (option !== 'store' || (given !== undefined && given.trim() !== '')) return given;
      const path = source.get('stack')?.trim();
      if (!path) return given;
      const stack = readStackFile(path, ENGINES, cwd);
      return stack.store === undefined ? given : expandReferences(stack.store, env, `${stack.where}: \`store\``);
    },
  };
}
