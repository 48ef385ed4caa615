import { z } from 'zod';
import type { CheckResult } from '../../catalog/drill-record.js';
import { judgeSqlCheck, parseExpectation, type Expectation } from '../postgres/drill/sql-checks.js';
import { redact } from '../../report/secrets.js';
import type { CommandClient } from './client.js';
import { RedisCheckDefinitionError } from './errors.js';
import type { KeyspaceEntry } from './info.js';
import type { KeysRestored } from './restore-keys.js';
import type { RedisStats } from './stats.js';

/** One operator check: a read-only Redis command and what its reply must be. */
export interface RedisCheck {
  readonly name: string;
  /** The command as written, e.g. `SCARD sessions:active`. */
  readonly command: string;
  /** Its words (quotes removed). */
  readonly args: readonly string[];
  /** Database the command runs in; default 0. */
  readonly db: number;
  readonly expect: Expectation;
  readonly expectText: string;
}

const entrySchema = z.object({
  name: z.string().min(1).optional(),
  command: z.string().min(1),
  db: z.number().int().nonnegative().optional(),
  expect: z.union([z.string(), z.number(), z.boolean()]),
});

const CHECK_FORM =
  'Write each Redis check as `{name, command, expect}` (and optionally `db`), e.g. `command: SCARD sessions:active` with `expect: ">= 1"`; expect takes `= 42`, `>= 1`, `no rows` (nil or empty), `some rows`, or a value.';

/** Splits a command line into words; single or double quotes keep spaces, backslash escapes inside double quotes. */
export function splitCommand(text: string): string[] {
  const words: string[] = [];
  let current = '';
  let quote: '"' | "'" | undefined;
  let started = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      else if (c === '\\' && quote === '"' && i + 1 < text.length) current += text[++i];
      else current += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      started = true;
    } else if (/\s/.test(c)) {
      if (started) words.push(current);
      current = '';
      started = false;
    } else {
      current += c;
      started = true;
    }
  }
  if (quote) throw new RedisCheckDefinitionError(`The command ${JSON.stringify(text)} has an unclosed quote.`, CHECK_FORM);
  if (started) words.push(current);
  return words;
}

/** Reads the Redis entries of a drill's checks (those with a `command`); problems name the entry. */
export function parseChecks(entries: readonly unknown[]): RedisCheck[] {
  return entries.map((entry, index) => {
    const parsed = entrySchema.safeParse(entry);
    const label = (entry as { name?: unknown })?.name ? `"${String((entry as { name: unknown }).name)}"` : `check ${index + 1}`;
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new RedisCheckDefinitionError(`Redis check ${label}: ${issue?.path.join('.') || 'entry'}: ${issue?.message}.`, CHECK_FORM);
    }
    const expectText = String(parsed.data.expect);
    const expect = parseExpectation(expectText);
    if (!expect) throw new RedisCheckDefinitionError(`Redis check ${label} has expect '${expectText}', which is not an expectation.`, CHECK_FORM);
    const args = splitCommand(parsed.data.command);
    if (args.length === 0) throw new RedisCheckDefinitionError(`Redis check ${label} has an empty command.`, CHECK_FORM);
    return { name: parsed.data.name ?? `check ${index + 1}`, command: parsed.data.command, args, db: parsed.data.db ?? 0, expect, expectText };
  });
}

/** Read-only commands that COMMAND INFO does not flag `readonly` but that change nothing. */
const ALSO_READ_ONLY = new Set(['INFO', 'PING', 'ECHO', 'TIME', 'LASTSAVE', 'DBSIZE', 'TYPE', 'TTL', 'PTTL']);
/** Flags that make a command unfit for a check even when it is `readonly` (it could block, or subscribe). */
const REFUSED_FLAGS = new Set(['write', 'admin', 'blocking', 'pubsub', 'noscript']);

/** The flags COMMAND INFO gives for a command (or `container|subcommand`), lower-case; undefined when unknown. */
async function commandFlags(client: CommandClient, name: string): Promise<string[] | undefined> {
  const reply = (await client.send(['COMMAND', 'INFO', name])) as unknown[];
  const info = reply?.[0];
  if (!Array.isArray(info)) return undefined;
  const flags = Array.isArray(info[2]) ? info[2].map((f) => String(f).toLowerCase()) : [];
  return flags;
}

/**
 * Decides whether a check's command only reads: it must be known to the server, flagged
 * `readonly` by COMMAND INFO (for a container command such as OBJECT, its subcommand) and
 * not `write`, `admin`, `blocking` or `pubsub`, or be one of a few inspection commands.
 * Returns the refusal, or undefined when the command may run.
 */
export async function readOnlyRefusal(client: CommandClient, args: readonly string[]): Promise<string | undefined> {
  const name = args[0]!.toUpperCase();
  if (ALSO_READ_ONLY.has(name)) return undefined;
  let flags = await commandFlags(client, name);
  let label = name;
  if (flags === undefined) return `${name} is not a command this server knows`;
  if (flags.length === 0 && args.length > 1) {
    // A container: the subcommand carries the flags.
    label = `${name} ${args[1]!.toUpperCase()}`;
    flags = await commandFlags(client, `${name.toLowerCase()}|${args[1]!.toLowerCase()}`);
    if (flags === undefined) return `${label} is not a command this server knows`;
  }
  const refused = flags.find((f) => REFUSED_FLAGS.has(f));
  if (refused) return `${label} is flagged \`${refused}\``;
  if (!flags.includes('readonly')) return `${label} is not a read-only command`;
  return undefined;
}

/** A reply as the rows the expectation grammar judges: nil and empty arrays are no rows, arrays a row per element. */
export function replyRows(reply: unknown): unknown[][] {
  if (reply === null || reply === undefined) return [];
  if (Array.isArray(reply)) return reply.map((item) => [Array.isArray(item) ? JSON.stringify(item) : item]);
  if (Buffer.isBuffer(reply)) return [[reply.toString('utf8')]];
  return [[reply]];
}

/**
 * Runs operator checks, each refused unless read-only (see `readOnlyRefusal`), in its
 * database; a failing command fails its check with the server's message and the others
 * still run. Judged with the drill's expectation grammar.
 */
export async function runChecks(client: CommandClient, checks: readonly RedisCheck[]): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const check of checks) {
    const base = { name: check.name, kind: 'redis-command', expected: check.expectText };
    try {
      const refusal = await readOnlyRefusal(client, check.args);
      if (refusal) {
        results.push({ ...base, ok: false, actual: 'refused', message: `Checks run read-only commands only: ${refusal}.` });
        continue;
      }
      await client.send(['SELECT', String(check.db)]);
      const reply = await client.send(check.args);
      const judged = judgeSqlCheck({ name: check.name, sql: check.command, expect: check.expect, expectText: check.expectText }, replyRows(reply));
      results.push({ ...judged, kind: 'redis-command' });
    } catch (error) {
      results.push({ ...base, ok: false, actual: 'error', message: redact((error as Error).message) });
    }
  }
  await client.send(['SELECT', '0']).catch(() => undefined);
  return results;
}

/**
 * The automatic checks: in every database recorded at backup time, exactly the recorded
 * number of keys without an expiry, and no more keys with an expiry than recorded (some
 * may have expired since; the check says how many). A database that was empty at backup
 * time must be empty after the restore. `restored` (from a key-by-key restore) accounts for
 * keys a keys-mode SCAN returned twice.
 */
export function keyCountChecks(stats: RedisStats, keyspace: readonly KeyspaceEntry[], restored?: KeysRestored): CheckResult[] {
  const found = new Map(keyspace.map((entry) => [entry.db, entry]));
  const checks: CheckResult[] = [];
  for (const recorded of stats.databases) {
    const now = found.get(recorded.db) ?? { db: recorded.db, keys: 0, expires: 0 };
    const dup = restored?.databases[recorded.db];
    const persistentRecorded = recorded.keys - recorded.expires - ((dup?.duplicates ?? 0) - (dup?.duplicatesWithExpiry ?? 0));
    const volatileRecorded = recorded.expires - (dup?.duplicatesWithExpiry ?? 0);
    const persistent = now.keys - now.expires;
    checks.push({ name: `keys without expiry in db ${recorded.db}`, kind: 'redis-key-count', ok: persistent === persistentRecorded, expected: persistentRecorded, actual: persistent });
    const expired = volatileRecorded - now.expires;
    checks.push({
      name: `keys with expiry in db ${recorded.db}`,
      kind: 'redis-key-count',
      ok: now.expires <= volatileRecorded,
      expected: `<= ${volatileRecorded}`,
      actual: now.expires,
      ...(expired > 0 ? { message: `${expired} of the ${volatileRecorded} keys with an expiry expired since the backup.` } : {}),
    });
  }
  for (const entry of keyspace) {
    if (entry.keys > 0 && !stats.databases.some((d) => d.db === entry.db)) {
      checks.push({ name: `db ${entry.db} holds no keys`, kind: 'redis-key-count', ok: false, expected: 0, actual: entry.keys, message: 'The backup recorded no keys in this database.' });
    }
  }
  return checks;
}
