import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { RunContext } from '../../context.js';
import type { Checks } from '../../preflight/checks.js';
import { describeCommand } from './command-line.js';
import { CommandDefinitionError } from './errors.js';
import { commandBackupSettings, type CommandBackupSettings } from './settings.js';
import type { CommandBackupOptions } from './options.js';

/** The programs a backup runs that can be named without running it: a list's first word, a preset's tools. */
export function programsOf(settings: Pick<CommandBackupSettings, 'backup' | 'count' | 'preset'>): string[] {
  const programs = new Set<string>(settings.preset?.tools ?? []);
  for (const command of [settings.backup, settings.count]) if (command && !command.shell) programs.add(command.argv[0]!);
  return [...programs];
}

/** True when `program` (a path, or a name looked up on PATH) exists. */
export function onPath(program: string, path: string | undefined): boolean {
  if (program.includes('/')) return existsSync(program);
  return (path ?? '').split(':').some((dir) => dir !== '' && existsSync(join(dir, program)));
}

/**
 * The command engine's preflight rows, running nothing that reads data: the options give a
 * command (`source`), and the programs it names are installed (`tools`). A shell script's
 * programs are the script's business; only its own run can tell.
 */
export async function checkCommandSource(options: CommandBackupOptions, context: RunContext, checks: Checks): Promise<void> {
  const settings = await checks.run('source', async () => {
    const value = commandBackupSettings(options, context.env);
    return { value, detail: `${value.preset ? `preset ${value.preset.name}: ` : ''}\`${describeCommand(value.backup)}\`${value.count ? ', with a count command' : ''}` };
  });
  if (!settings) return;
  const programs = programsOf(settings);
  if (programs.length === 0) {
    checks.skip('tools', 'the command is a shell script; its programs are found when it runs');
    return;
  }
  await checks.run('tools', async () => {
    const missing = programs.filter((p) => !onPath(p, settings.env.PATH));
    if (missing.length > 0) throw new CommandDefinitionError(`${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not installed (not on PATH).`, `Install ${missing.join(' and ')}, or put ${missing.length === 1 ? 'it' : 'them'} on PATH.`);
    return { value: undefined, detail: `${programs.join(', ')} on PATH` };
  });
}
