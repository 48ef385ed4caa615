import { parse } from 'yaml';
import { redact } from '../../report/secrets.js';
import { CommandDefinitionError } from './errors.js';

/** A command as the operator wrote it: a shell string, or a program and its arguments. */
export type CommandLine =
  | { readonly shell: true; readonly script: string }
  | { readonly shell: false; readonly argv: readonly string[] };

const FORM =
  'Give a command as one line run by `/bin/sh -c` (e.g. `mongodump --archive --uri "$MONGO_URL"`), or as a YAML/JSON list run without a shell (e.g. `["mongodump", "--archive"]`).';

/**
 * Reads a command option: text starting with `[` and no space after it (`["a", "b"]`), or a
 * YAML block list (`- a`), is a list of words run without a shell; anything else, the shell's
 * own `[ -f x ]` test included, is a script for `/bin/sh -c`. `option` names it in messages.
 */
export function parseCommandLine(text: string, option: string): CommandLine {
  const trimmed = text.trim();
  if (trimmed === '') throw new CommandDefinitionError(`\`${option}\` is empty.`, FORM);
  if (/^\[(?!\s)/.test(trimmed) || trimmed.startsWith('- ')) {
    let list: unknown;
    try {
      list = parse(trimmed);
    } catch (error) {
      throw new CommandDefinitionError(`\`${option}\` looks like a list but is not valid YAML/JSON: ${(error as Error).message.split('\n')[0]}`, FORM);
    }
    if (!Array.isArray(list) || list.length === 0 || !list.every((w) => typeof w === 'string' || typeof w === 'number')) {
      throw new CommandDefinitionError(`\`${option}\` must be a non-empty list of words (strings).`, FORM);
    }
    const argv = list.map(String);
    if (argv[0]!.trim() === '') throw new CommandDefinitionError(`\`${option}\` names no program: its first word is empty.`, FORM);
    return { shell: false, argv };
  }
  return { shell: true, script: trimmed };
}

/** The program and arguments to spawn. */
export function commandArgv(command: CommandLine): { readonly program: string; readonly args: readonly string[] } {
  return command.shell ? { program: '/bin/sh', args: ['-c', command.script] } : { program: command.argv[0]!, args: command.argv.slice(1) };
}

/** The command for messages and evidence, secrets and URL passwords redacted. */
export function describeCommand(command: CommandLine): string {
  const text = command.shell ? command.script : command.argv.map(quoteWord).join(' ');
  const line = text.replace(/\s*\n\s*/g, ' ');
  return redact(line.length > 200 ? `${line.slice(0, 197)}...` : line);
}

/** Replaces `{payload}` with the payload file's path: a word of its own in a list, single-quoted in a script. */
export function withPayloadPath(command: CommandLine, path: string): CommandLine {
  return withPathPlaceholder(command, '{payload}', path);
}

/** Replaces a placeholder (`{payload}`, `{stack-dir}`) with a path: a word of its own in a list, single-quoted in a script. */
export function withPathPlaceholder(command: CommandLine, placeholder: string, path: string): CommandLine {
  if (command.shell) return { shell: true, script: command.script.split(placeholder).join(shellQuote(path)) };
  return { shell: false, argv: command.argv.map((word) => word.split(placeholder).join(path)) };
}

/** True when the command reads the payload from a file path rather than stdin. */
export function takesPayloadPath(command: CommandLine): boolean {
  return command.shell ? command.script.includes('{payload}') : command.argv.some((w) => w.includes('{payload}'));
}

/** Single-quotes a word for /bin/sh. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

function quoteWord(word: string): string {
  return shellQuote(word);
}
