type Env = Record<string, string | undefined>;

/**
 * Variables a child program inherits from the runner: what finds programs and libraries, the
 * user's home, temp folders, time zone, locale and proxies. Everything else (tokens, keys,
 * `LIFEBOAT_*` settings, cloud credentials) stays in this process.
 */
const INHERITED = new Set([
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'SHELL',
  'TMPDIR',
  'TMP',
  'TEMP',
  'TZ',
  'LANG',
  'LANGUAGE',
  'LD_LIBRARY_PATH',
  'HTTP_PROXY',
  'HTTPS_PROXY',
  'NO_PROXY',
  'http_proxy',
  'https_proxy',
  'no_proxy',
  'SYSTEMROOT',
]);

/** True for a variable in the allow-list (or a `LC_*` locale variable). */
export function isInheritable(name: string): boolean {
  return INHERITED.has(name) || name.startsWith('LC_');
}

/**
 * The environment for a child process: the allow-listed part of `base`, plus `extra` (the
 * variables the program needs, e.g. `PGPASSWORD`, or those the operator named). A value of
 * `undefined` in `extra` removes the variable.
 */
export function childEnv(base: Env, extra: Env = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(base)) {
    if (value !== undefined && isInheritable(name)) env[name] = value;
  }
  for (const [name, value] of Object.entries(extra)) {
    if (value === undefined) delete env[name];
    else env[name] = value;
  }
  return env;
}
