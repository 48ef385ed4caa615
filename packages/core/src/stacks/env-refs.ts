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

/** `${asset.url}`, `${asset.path}`, `${asset.env.NAME}`: a restored member's endpoint (after-restore `env:` only). */
export interface MemberReference {
  readonly asset: string;
  /** `url`, `path`, or `env.NAME`. */
  readonly field: string;
}

const MEMBER_FIELD = /^([a-z0-9][a-z0-9_-]{0,40})\.(url|path|env\.[A-Za-z_][A-Za-z0-9_]*)$/;

/**
 * The references of an after-restore `env:` value: environment variables (`${NAME}`) and
 * restored members' endpoints (`${asset.url}`, ...); throws describing a malformed one.
 */
export function serviceReferences(value: string): { variables: string[]; members: MemberReference[] } {
  const variables: string[] = [];
  const members: MemberReference[] = [];
  for (const match of value.matchAll(REFERENCE)) {
    if (match[0] === '$$') continue;
    const name = match[1]!;
    const member = MEMBER_FIELD.exec(name);
    if (member) members.push({ asset: member[1]!, field: member[2]! });
    else if (VARIABLE_NAME.test(name)) variables.push(name);
    else throw new Error(`\`${match[0]}\` is neither an environment variable (\`\${NAME}\`) nor a member's endpoint (\`\${asset.url}\`, \`\${asset.path}\`, \`\${asset.env.NAME}\`)`);
  }
  if (value.replace(REFERENCE, '').includes('$')) throw new Error('a lone `$` is neither a reference nor `$$` (a literal `$`)');
  return { variables, members };
}

/**
 * Expands an after-restore `env:` value: `${NAME}` from `env`, `${asset.field}` from `member`
 * (which returns undefined for a field the member lacks). Missing values are errors naming them.
 */
export function expandServiceValue(
  value: string,
  env: Readonly<Record<string, string | undefined>>,
  member: (reference: MemberReference) => string | undefined,
  where: string,
): string {
  return value.replace(REFERENCE, (match, name: string | undefined) => {
    if (match === '$$') return '$';
    const ref = MEMBER_FIELD.exec(name!);
    if (ref) {
      const found = member({ asset: ref[1]!, field: ref[2]! });
      if (found === undefined || found === '') throw new OptionError(`${where} references \${${name}}, which the restored member \`${ref[1]}\` does not give.`, 'Use a field the member\'s engine gives: `url` (PostgreSQL, Redis), `path` (files, buckets), or `env.NAME` of its endpoint (see docs/stacks.md).');
      return found;
    }
    return expandReferences(match, env, where);
  });
}
