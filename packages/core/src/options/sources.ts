import { envName, type OptionSource } from './define.js';

type Env = Record<string, string | undefined>;

/**
 * Action inputs as the runner passes them (`INPUT_<NAME>`, as @actions/core reads them),
 * falling back to the option's `LIFEBOAT_*` env var.
 */
export function actionInputSource(env: Env = process.env): OptionSource {
  return {
    surface: 'action',
    get(option) {
      const input = env[`INPUT_${option.replace(/ /g, '_').toUpperCase()}`];
      return input !== undefined && input.trim() !== '' ? input : env[envName(option)];
    },
    label: (option) => `input \`${option}\``,
  };
}

/** Values from CLI flags (already parsed, keyed by option name), falling back to env vars. */
export function cliSource(flags: Record<string, string | undefined>, env: Env = process.env): OptionSource {
  return {
    surface: 'cli',
    get(option) {
      const flag = flags[option];
      return flag !== undefined && flag.trim() !== '' ? flag : env[envName(option)];
    },
    label: (option) => `--${option} (or ${envName(option)})`,
  };
}

/** Values from a plain object (tests, library callers), falling back to nothing. */
export function objectSource(values: Record<string, string | undefined>, surface: 'action' | 'cli' = 'cli'): OptionSource {
  return {
    surface,
    get: (option) => values[option],
    label: (option) => `option \`${option}\``,
  };
}
