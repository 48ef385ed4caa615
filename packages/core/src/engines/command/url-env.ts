import { registerSecret } from '../../report/secrets.js';
import { CommandDefinitionError } from './errors.js';

/**
 * The variables a command gets for a source or target URL: `<P>_URL` and its parts
 * (`<P>_HOST`, `<P>_PORT`, `<P>_USER`, `<P>_PASSWORD`, `<P>_DATABASE`), or `<P>_PATH` for a
 * file (`file:/srv/app.db` or a plain path). The password is registered as a secret.
 */
export function urlEnv(prefix: 'SOURCE' | 'TARGET', value: string, option: string): Record<string, string> {
  const text = value.trim();
  if (!/^[a-z][a-z0-9+.-]*:/i.test(text) || /^file:/i.test(text)) {
    const path = /^file:/i.test(text) ? decodeURIComponent(text.replace(/^file:(\/\/)?/i, '')) : text;
    if (path === '') throw new CommandDefinitionError(`\`${option}\` names no file.`, 'Give a path (`/srv/app.db`) or a `file:` URL.');
    return { [`${prefix}_URL`]: text, [`${prefix}_PATH`]: path };
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new CommandDefinitionError(`\`${option}\` is not a URL.`, 'Use scheme://[user:password@]host[:port]/database, percent-encoding special characters in the password.');
  }
  const password = decodeURIComponent(url.password);
  registerSecret(password);
  registerSecret(text);
  const env: Record<string, string> = { [`${prefix}_URL`]: text, [`${prefix}_HOST`]: url.hostname.replace(/^\[(.*)\]$/, '$1') };
  if (url.port) env[`${prefix}_PORT`] = url.port;
  if (url.username) env[`${prefix}_USER`] = decodeURIComponent(url.username);
  if (url.password) env[`${prefix}_PASSWORD`] = password;
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (database) env[`${prefix}_DATABASE`] = database;
  return env;
}

/** `mysql://db.internal:3306/app` with the password hidden, for summaries. */
export function describeUrl(value: string): string {
  const text = value.trim();
  try {
    const url = new URL(text);
    if (url.protocol === 'file:') return text;
    return `${url.protocol}//${url.username ? `${decodeURIComponent(url.username)}@` : ''}${url.host}${url.pathname === '/' ? '' : url.pathname}`;
  } catch {
    return text;
  }
}
