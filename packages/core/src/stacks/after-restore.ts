import { z } from 'zod';
import type { CheckResult } from '../catalog/drill-record.js';
import { parseCommandLine, type CommandLine } from '../engines/command/command-line.js';
import { parseDuration } from '../options/values.js';
import { redact } from '../report/secrets.js';
import { serviceReferences } from './env-refs.js';

/** One HTTP check against the after-restore service. */
export interface HttpCheck {
  readonly name: string;
  readonly method: 'GET' | 'HEAD';
  readonly url: string;
  readonly expectStatus: number;
  readonly expectBody?: string;
  readonly timeoutMs: number;
}

/** The stack's after-restore service: started against the restored members, waited for, checked over HTTP. */
export interface AfterRestore {
  readonly command: CommandLine;
  /** Variable → value as written (`${NAME}` and `${asset.url}` references not yet expanded). */
  readonly env: Readonly<Record<string, string>>;
  readonly ready: { readonly url: string; readonly timeoutMs: number };
  readonly checks: readonly HttpCheck[];
}

const scalar = z.union([z.string(), z.number(), z.boolean()]).transform(String);

/** The YAML form of `after-restore`, checked with the rest of the stack file. */
export const afterRestoreSchema = z.strictObject({
  command: z.union([z.string().min(1), z.array(z.union([z.string(), z.number()])).min(1)]),
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name is letters, digits and `_`'), scalar).default({}),
  ready: z.strictObject({ http: z.string().min(1), timeout: scalar.optional() }),
  checks: z
    .array(
      z.strictObject({
        name: z.string().min(1),
        http: z.string().min(1),
        'expect-status': z.number().int().min(100).max(599).default(200),
        'expect-body': z.string().min(1).optional(),
        timeout: scalar.optional(),
      }),
    )
    .default([]),
});

export const AFTER_RESTORE_FORM =
  '`after-restore` is `{command, env, ready: {http: <loopback URL>, timeout}, checks: [{name, http: "GET <loopback URL>", expect-status, expect-body}]}`; see docs/stacks.md.';

const DEFAULT_READY_MS = 60_000;
const DEFAULT_CHECK_MS = 10_000;
const MAX_TIMEOUT_MS = 30 * 60_000;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Why a URL is not one a check may ask, or undefined: only `http://` on the loopback
 * interface (127.0.0.1, localhost, ::1), without credentials, so a stack file cannot point
 * a drill at a production service. Pure.
 */
export function loopbackProblem(text: string): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return `'${text}' is not a URL`;
  }
  if (url.protocol !== 'http:') return `'${redact(text)}' is not an http:// URL`;
  if (!LOOPBACK.has(url.hostname)) return `'${redact(text)}' is not on the loopback interface (127.0.0.1, localhost or [::1])`;
  if (url.username || url.password) return `'${redact(text)}' holds credentials`;
  return undefined;
}

type Fail = (path: readonly (string | number)[], message: string, fix?: string) => never;

/** Reads the validated YAML of `after-restore` into its parts; problems go to `fail` with their path. */
export function parseAfterRestore(data: z.infer<typeof afterRestoreSchema>, assets: readonly string[], fail: Fail): AfterRestore {
  const base = ['after-restore'];
  let command: CommandLine;
  try {
    command = parseCommandLine(typeof data.command === 'string' ? data.command : JSON.stringify(data.command.map(String)), 'after-restore.command');
  } catch (error) {
    fail([...base, 'command'], (error as Error).message, (error as { fix?: string }).fix);
  }
  for (const [name, value] of Object.entries(data.env)) {
    let refs: ReturnType<typeof serviceReferences> = { variables: [], members: [] };
    try {
      refs = serviceReferences(value);
    } catch (error) {
      fail([...base, 'env', name], `\`after-restore.env.${name}\`: ${(error as Error).message}.`, AFTER_RESTORE_FORM);
    }
    for (const ref of refs.members) {
      if (!assets.includes(ref.asset)) fail([...base, 'env', name], `\`after-restore.env.${name}\` references \`${ref.asset}\`, which is not an asset of this stack.`, `Name one of ${assets.map((a) => `\`${a}\``).join(', ')}.`);
    }
    const own = refs.variables.find((v) => v.startsWith('LIFEBOAT_'));
    if (own) fail([...base, 'env', name], `\`after-restore.env.${name}\` references \${${own}}: Lifeboat's own settings (keys, passphrases, tokens) are never given to the service.`, 'Give the service its own variables.');
    // A password written into the file is refused, as in member settings.
    if (/:\/\/[^/@:\s]*:[^/@\s]+@/.test(value.replace(/\$\{[^}]*\}/g, ''))) fail([...base, 'env', name], `\`after-restore.env.${name}\` holds a password in its URL.`, 'Reference the member (`${app.url}`) or an environment variable (`${NAME}`) instead.');
  }
  const url = (text: string, path: readonly (string | number)[]) => {
    const problem = loopbackProblem(text);
    if (problem) fail(path, `\`${path.join('.')}\`: ${problem}.`, 'HTTP checks ask the after-restore service on this machine only: write `http://127.0.0.1:<port>/<path>` (or localhost, [::1]).');
    return text;
  };
  const duration = (text: string | undefined, fallback: number, path: readonly (string | number)[]) => {
    if (text === undefined) return fallback;
    const ms = parseDuration(text);
    if (ms === undefined || ms <= 0 || ms > MAX_TIMEOUT_MS) fail(path, `\`${path.join('.')}\` (got '${text}') is not a duration up to 30m.`, 'Write it like `10s` or `2m`.');
    return ms!;
  };
  const ready = { url: url(data.ready.http, [...base, 'ready', 'http']), timeoutMs: duration(data.ready.timeout, DEFAULT_READY_MS, [...base, 'ready', 'timeout']) };
  const checks = data.checks.map((check, index): HttpCheck => {
    const path = [...base, 'checks', index];
    const match = /^(?:(GET|HEAD)\s+)?(\S+)$/.exec(check.http.trim());
    if (!match) fail([...path, 'http'], `check "${check.name}": \`http\` (got '${check.http}') is not \`GET <URL>\` or \`HEAD <URL>\`.`, AFTER_RESTORE_FORM);
    return {
      name: check.name,
      method: (match![1] ?? 'GET') as 'GET' | 'HEAD',
      url: url(match![2]!, [...path, 'http']),
      expectStatus: check['expect-status'],
      ...(check['expect-body'] !== undefined ? { expectBody: check['expect-body'] } : {}),
      timeoutMs: duration(check.timeout, DEFAULT_CHECK_MS, [...path, 'timeout']),
    };
  });
  return { command: command!, env: data.env, ready, checks };
}

/** What an HTTP request got: a status and the start of the body, or why there was none. */
export type HttpAnswer = { readonly status: number; readonly body: string; readonly location?: string; readonly durationMs: number } | { readonly error: string; readonly durationMs: number };

/** The result of an HTTP check from the answer it got. Pure. */
export function judgeHttpCheck(check: HttpCheck, answer: HttpAnswer): CheckResult {
  const expected = `status ${check.expectStatus}${check.expectBody !== undefined ? `, body containing ${JSON.stringify(check.expectBody)}` : ''}`;
  const base = { name: check.name, kind: 'http', expected, request: `${check.method} ${check.url}`, durationMs: answer.durationMs };
  if ('error' in answer) return { ...base, ok: false, actual: 'no answer', message: `${check.method} ${check.url} got no answer: ${redact(answer.error)}` };
  const actual = `status ${answer.status}`;
  const body = redact(answer.body.trim()).replace(/\s+/g, ' ');
  const quoted = body ? ` Its body began: ${body.length > 200 ? `${body.slice(0, 200)}...` : body}` : '';
  if (answer.status !== check.expectStatus) {
    const moved = answer.status >= 300 && answer.status < 400 && answer.location ? ` (a redirect to ${redact(answer.location)}, not followed)` : '';
    return { ...base, ok: false, actual, message: `${check.method} ${check.url} answered ${answer.status}${moved}, expected ${check.expectStatus}.${quoted}` };
  }
  if (check.expectBody !== undefined && !answer.body.includes(check.expectBody)) {
    return { ...base, ok: false, actual: `${actual}, body without ${JSON.stringify(check.expectBody)}`, message: `${check.method} ${check.url} answered ${answer.status} but its body does not contain ${JSON.stringify(check.expectBody)}.${quoted}` };
  }
  return { ...base, ok: true, actual };
}
