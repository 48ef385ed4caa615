import { OptionError } from '../report/errors.js';

/** `${NAME}`: an environment variable reference in a stack file; `$$` is a literal `$`. */
const REFERENCE = /\$\$|\$\{([^}]*)\}/g;
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The variables a value references, in order; throws describing a malformed reference. */
export function referencedVariables(value: string): string[] {
  const names: string[] = [];
  for (const match of value.matchAll(REFERENCE)) {
    if (match[0] === '$$') continue;
    const name = match[1]!;
    if (!VARIABLE_NAME.test(name)) throw new Error(`\`${match[0]}\` is not an environment variable reference (write \`\${NAME}\` with letters, digits and \`_\`)`);
    names.push(name);
  }
  const rest = value.replace(REFERENCE, '');
  if (rest.includes('$')) throw new Error('a lone `$` is neither `${NAME}` nor `$$` (a literal `$`)');
  return names;
}

/** True when the value is made of references only (a secret must be: its text never sits in the file). */
export function onlyReferences(value: string): boolean {
  return value.replace(REFERENCE, (m) => (m === '$$' ? '$' : '')).trim() === '' && /\$\{/.test(value);
}

/**
 * Replaces every `${NAME}` with the variable's value. A variable that is unset or empty is
 * an error naming it and `where`, since an empty secret would fail later and less clearly.
 */
export function expandReferences(value: string, env: Readonly<Record<string, string | undefined>>, where: string): string {
  return value.replace(REFERENCE, (match, name: string | undefined) => {
    if (match === '$$') return '$';
    const found = env[name!];
    if (found === undefined || found === '') {
      throw new OptionError(`${where} references \${${name}}, which is not set in the environment.`, `Set ${name} (as a secret in Actions, or exported in the shell) before running the stack.`);
    }
    return found;
  });
}
