import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { childEnv } from '../../../process/child-env.js';
import { runTool } from '../../../process/spawn-tool.js';
import { RestoreError } from './errors.js';

type Env = Record<string, string | undefined>;

/** What an object of the archive's table of contents is checked as after a restore. */
export type ArchiveObjectKind = 'schema' | 'relation' | 'constraint' | 'function' | 'type' | 'trigger' | 'extension' | 'large object';

/** One object the archive creates: `name` is the TOC tag (`table constraint` for constraints and triggers). */
export interface ArchiveObject {
  readonly kind: ArchiveObjectKind;
  /** The TOC's own word for it, for messages: `TABLE`, `FK CONSTRAINT`, `MATERIALIZED VIEW`, ... */
  readonly desc: string;
  readonly schema: string;
  readonly name: string;
}

/** A sequence position the archive sets (`SEQUENCE SET`). */
export interface SequencePosition {
  /** As written in setval's first argument, e.g. `app.invoice_numbers` (quoted where needed). */
  readonly sequence: string;
  readonly value: string;
  readonly isCalled: boolean;
}

/** TOC descriptions that create an object, and what each is checked as. */
const CHECKED: Record<string, ArchiveObjectKind> = {
  SCHEMA: 'schema',
  TABLE: 'relation',
  VIEW: 'relation',
  'MATERIALIZED VIEW': 'relation',
  SEQUENCE: 'relation',
  'FOREIGN TABLE': 'relation',
  INDEX: 'relation',
  CONSTRAINT: 'constraint',
  'FK CONSTRAINT': 'constraint',
  'CHECK CONSTRAINT': 'constraint',
  FUNCTION: 'function',
  PROCEDURE: 'function',
  AGGREGATE: 'function',
  TYPE: 'type',
  DOMAIN: 'type',
  TRIGGER: 'trigger',
  EXTENSION: 'extension',
  BLOB: 'large object',
};

/** Every description pg_restore -l prints, longest first, so `TABLE DATA` is not read as `TABLE`. */
const DESCRIPTIONS = [
  ...Object.keys(CHECKED),
  'TABLE DATA', 'TABLE ATTACH', 'SEQUENCE SET', 'SEQUENCE OWNED BY', 'MATERIALIZED VIEW DATA', 'INDEX ATTACH', 'DEFAULT ACL', 'DEFAULT', 'COMMENT',
  'ACL', 'BLOBS', 'BLOB METADATA', 'BLOB DATA', 'LARGE OBJECTS', 'ENCODING', 'STDSTRINGS', 'SEARCHPATH', 'DATABASE', 'DATABASE PROPERTIES',
  'RULE', 'POLICY', 'ROW SECURITY', 'PUBLICATION', 'PUBLICATION TABLE', 'PUBLICATION TABLES IN SCHEMA', 'SUBSCRIPTION', 'EVENT TRIGGER',
  'CAST', 'COLLATION', 'CONVERSION', 'OPERATOR', 'OPERATOR CLASS', 'OPERATOR FAMILY', 'TEXT SEARCH CONFIGURATION', 'TEXT SEARCH DICTIONARY',
  'TEXT SEARCH PARSER', 'TEXT SEARCH TEMPLATE', 'FOREIGN DATA WRAPPER', 'SERVER', 'USER MAPPING', 'PROCEDURAL LANGUAGE', 'SHELL TYPE',
  'STATISTICS', 'TRANSFORM', 'ACCESS METHOD', 'SECURITY LABEL',
].sort((a, b) => b.length - a.length);

/**
 * Reads `pg_restore --list` output into the objects a restore must have created. A line is
 * `id; catalog-oid object-oid DESCRIPTION schema tag owner`, names unquoted: the schema is
 * matched against the archive's own schemas, the owner is the last word.
 */
export function archiveObjects(list: string): ArchiveObject[] {
  const lines = list.split('\n').map((l) => /^\d+;\s+\d+\s+\d+\s+(.*)$/.exec(l.trim())?.[1]).filter((l): l is string => l !== undefined);
  const schemas = new Set(['public', 'pg_catalog']);
  for (const rest of lines) if (rest.startsWith('SCHEMA - ')) schemas.add(withoutOwner(rest.slice('SCHEMA - '.length)));
  const bySize = [...schemas].sort((a, b) => b.length - a.length);
  const objects: ArchiveObject[] = [];
  for (const rest of lines) {
    const desc = DESCRIPTIONS.find((d) => rest.startsWith(`${d} `));
    const kind = desc && CHECKED[desc];
    if (!desc || !kind) continue;
    const body = withoutOwner(rest.slice(desc.length + 1));
    if (body.startsWith('- ')) {
      objects.push({ kind, desc, schema: '', name: body.slice(2) });
      continue;
    }
    const schema = bySize.find((s) => body.startsWith(`${s} `));
    if (!schema) continue;
    objects.push({ kind, desc, schema, name: body.slice(schema.length + 1) });
  }
  return objects;
}

/** The TOC lines that set sequence positions, for a `--use-list` that prints just their SQL. */
export function sequenceSetLines(list: string): string[] {
  return list.split('\n').filter((l) => /^\d+;\s+\d+\s+\d+\s+SEQUENCE SET /.test(l.trim()));
}

/** Reads `SELECT pg_catalog.setval('name', value, is_called);` statements as pg_restore prints them. */
export function parseSequencePositions(sql: string): SequencePosition[] {
  const positions: SequencePosition[] = [];
  for (const match of sql.matchAll(/SELECT pg_catalog\.setval\('((?:[^']|'')+)', (-?\d+), (true|false)\);/g)) {
    positions.push({ sequence: match[1]!.replace(/''/g, "'"), value: match[2]!, isCalled: match[3] === 'true' });
  }
  return positions;
}

function withoutOwner(text: string): string {
  const space = text.lastIndexOf(' ');
  return space === -1 ? text : text.slice(0, space);
}

/** What an archive says a restore must produce: its objects and sequence positions. */
export interface ArchiveContents {
  readonly objects: readonly ArchiveObject[];
  readonly sequences: readonly SequencePosition[];
  /** Whether it attaches partitions' indexes to partitioned indexes (`INDEX ATTACH` entries). */
  readonly attachesIndexes: boolean;
}

/** Whether a `pg_restore --list` holds `INDEX ATTACH` entries. */
export function attachesIndexes(list: string): boolean {
  return list.split('\n').some((l) => /^\d+;\s+\d+\s+\d+\s+INDEX ATTACH /.test(l.trim()));
}

/** Lists an archive's table of contents and its sequence positions with pg_restore itself. */
export async function readArchiveContents(pgRestore: string, archivePath: string, workDir: string, env: Env, signal?: AbortSignal): Promise<ArchiveContents> {
  const list = await run(pgRestore, ['--list', archivePath], env, signal);
  const setLines = sequenceSetLines(list);
  let sequences: SequencePosition[] = [];
  if (setLines.length > 0) {
    const listFile = join(workDir, 'sequence-set.list');
    await writeFile(listFile, `${setLines.join('\n')}\n`, { mode: 0o600 });
    sequences = parseSequencePositions(await run(pgRestore, ['--use-list', listFile, '--file', '-', archivePath], env, signal));
  }
  return { objects: archiveObjects(list), sequences, attachesIndexes: attachesIndexes(list) };
}

async function run(path: string, args: string[], env: Env, signal?: AbortSignal): Promise<string> {
  const result = await runTool(path, args, { env: childEnv(env), signal, maxStdout: 64 * 1024 * 1024 });
  signal?.throwIfAborted();
  if (result.spawnError) throw result.spawnError;
  if (result.exitCode !== 0) {
    throw new RestoreError(`pg_restore ${args[0]} could not read the archive: ${result.stderrTail.split('\n').slice(-3).join(' ')}`, { exitCode: result.exitCode, signal: result.signal });
  }
  return result.stdout;
}
