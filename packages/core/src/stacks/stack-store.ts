import { isAbsolute, resolve } from 'node:path';
import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { OptionSource } from '../options/define.js';
import { OptionError } from '../report/errors.js';
import { expandReferences } from './env-refs.js';
import type { StackFile } from './stack-file.js';

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
 * store is given, so `lifeboat backup --stack lifeboat.yml` needs nothing else. A file that
 * cannot be read gives no store here: the operation reports what is wrong with it.
 */
export function withStackStore(source: OptionSource, env: Readonly<Record<string, string | undefined>>, cwd: string = process.cwd()): OptionSource {
  return {
    ...source,
    get(option) {
      const given = source.get(option);
      if (option !== 'store' || (given !== undefined && given.trim() !== '')) return given;
      const path = source.get('stack')?.trim();
      if (!path) return given;
      try {
        const full = isAbsolute(path) ? path : resolve(cwd, path);
        if (!existsSync(full)) return given;
        const store = (parse(readFileSync(full, 'utf8')) as { store?: unknown } | null)?.store;
        return typeof store === 'string' ? expandReferences(store, env, `stack file ${path}: \`store\``) : given;
      } catch {
        return given;
      }
    },
  };
}
