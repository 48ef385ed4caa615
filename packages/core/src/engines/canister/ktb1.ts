import { createDecipheriv } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { z } from 'zod';
import type { RunContext } from '../../context.js';
import { OptionError } from '../../report/errors.js';
import type { BackupSource, SourceRun } from '../source.js';
import { EXPORT_PAYLOAD_BASE, type CanisterManifestSection } from './canister-source.js';
import { chooseCompression, payloadName, type CompressionPreference } from './compression.js';
import { Ktb1DecryptError, Ktb1FormatError } from './errors.js';
import {
  ARCHIVE_FORMAT,
  ARCHIVE_FORMAT_VERSION,
  ARCHIVE_KIND,
  emptyCounts,
  type ArchiveRecord,
  type HeaderRecord,
  type RecordCounts,
  type UserCounts,
} from './records.js';
import { startRecordStream } from './record-stream.js';

/**
 * Files of the reference export tool: `KTB1` (4 bytes) + IV (12) + AES-256-GCM ciphertext +
 * tag (16), the key given as 64 hex characters; or the same JSON unencrypted. The JSON is
 * one document built in memory by that tool, so it is read whole here too.
 */
export const KTB1_MAGIC = Buffer.from('KTB1', 'ascii');
const IV_LENGTH = 12;
const TAG_LENGTH = 16;

const fullExportSchema = z.looseObject({
  format_version: z.number(),
  kind: z.literal('knowtation-operator-full-export'),
  exported_at: z.string().optional(),
  users: z.array(
    z.looseObject({
      user_id: z.union([z.string(), z.number()]).transform(String),
      vaults: z
        .array(z.looseObject({ vault_id: z.union([z.string(), z.number()]).transform(String), notes: z.array(z.unknown()).default([]) }))
        .default([]),
      proposals: z.array(z.unknown()).default([]),
    }),
  ),
});

const vaultExportSchema = z.looseObject({
  format_version: z.number(),
  kind: z.literal('knowtation-operator-vault-export'),
  exported_at: z.string().optional(),
  vault_id: z.union([z.string(), z.number()]).transform(String),
  notes: z.array(z.unknown()).default([]),
  proposals: z.array(z.unknown()).default([]),
});

/** A reference-tool export, normalised to the full-export shape. */
export interface ImportedDocument {
  readonly format: 'KTB1' | 'json';
  readonly kind: string;
  readonly formatVersion: number;
  readonly exportedAt: string | undefined;
  readonly users: { user_id: string; vaults: { vault_id: string; notes: unknown[] }[]; proposals: unknown[] }[];
}

/** Parses a hex AES-256 key; an OptionError when it is not 64 hex characters. */
export function parseKtb1Key(hex: string | undefined): Buffer {
  const text = (hex ?? '').trim();
  if (!/^[0-9a-fA-F]{64}$/.test(text)) {
    throw new OptionError(
      text === '' ? 'No KTB1 key given.' : `The KTB1 key must be 64 hex characters (a 32-byte AES-256 key); got ${text.length} characters.`,
      'Set `ktb1-key` to the hex key the files were encrypted with (the reference tool\'s KNOWTATION_CANISTER_BACKUP_ENCRYPT_KEY_HEX).',
    );
  }
  return Buffer.from(text, 'hex');
}

/** Decrypts a KTB1 file's bytes; Ktb1FormatError when it is not one, Ktb1DecryptError on a wrong key or damage. */
export function decryptKtb1(file: Buffer, key: Buffer, where = 'The file'): Buffer {
  if (file.length < KTB1_MAGIC.length || !file.subarray(0, KTB1_MAGIC.length).equals(KTB1_MAGIC)) {
    throw new Ktb1FormatError(`${where} does not start with the KTB1 magic.`, 'Pass a file written by the reference export tool with a key (`.json.enc`), or its plain `.json`.');
  }
  if (file.length < KTB1_MAGIC.length + IV_LENGTH + TAG_LENGTH) {
    throw new Ktb1FormatError(`${where} is too short to be a KTB1 file (${file.length} bytes): it is truncated.`, 'Use an intact copy of the file.');
  }
  const iv = file.subarray(KTB1_MAGIC.length, KTB1_MAGIC.length + IV_LENGTH);
  const tag = file.subarray(file.length - TAG_LENGTH);
  const ciphertext = file.subarray(KTB1_MAGIC.length + IV_LENGTH, file.length - TAG_LENGTH);
  const decipher = createDecipheriv('aes-256-gcm', key, iv);
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  } catch {
    // GCM cannot tell a wrong key from altered bytes: both fail the tag check.
    throw new Ktb1DecryptError(
      `${where} could not be decrypted: the key is wrong, or the file was altered or truncated.`,
      'Check `ktb1-key` is the key the file was written with; if it is, the file is damaged: use another copy.',
    );
  }
}

/** Reads and decrypts (or reads plain) a reference-tool export and validates its JSON document. */
export async function readReferenceExport(path: string, keyHex: string | undefined, userId?: string): Promise<ImportedDocument> {
  const where = `KTB1 file ${basename(path)}`;
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new OptionError(`Cannot read ${where}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}.`, 'Check `ktb1-file` names an existing, readable file.');
  }
  let format: ImportedDocument['format'];
  let text: string;
  if (bytes.subarray(0, KTB1_MAGIC.length).equals(KTB1_MAGIC)) {
    format = 'KTB1';
    text = decryptKtb1(bytes, parseKtb1Key(keyHex), where).toString('utf8');
  } else if (/^\s*\{/.test(bytes.subarray(0, 64).toString('utf8'))) {
    format = 'json';
    text = bytes.toString('utf8');
  } else {
    throw new Ktb1FormatError(
      `${where} is neither a KTB1 file (no KTB1 magic) nor a JSON export.`,
      'Pass a file written by the reference export tool: `.json.enc` (KTB1) or `.json`.',
    );
  }
  return parseReferenceDocument(text, format, where, userId);
}

/** Validates the JSON of a reference-tool export (full export v4, or single-vault export v2). */
export function parseReferenceDocument(text: string, format: ImportedDocument['format'], where: string, userId?: string): ImportedDocument {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Ktb1FormatError(`${where} does not hold valid JSON (${(error as Error).message}).`, 'The file is damaged or not an export of the reference tool; use another copy.');
  }
  const kind = (json as { kind?: unknown } | null)?.kind;
  if (kind === 'knowtation-operator-full-export') {
    const doc = check(fullExportSchema, json, where);
    return { format, kind, formatVersion: doc.format_version, exportedAt: doc.exported_at, users: doc.users };
  }
  if (kind === 'knowtation-operator-vault-export') {
    const doc = check(vaultExportSchema, json, where);
    if (!userId) {
      throw new OptionError(
        `${where} is a single-vault export (vault ${doc.vault_id}), which does not say whose vault it is.`,
        'Set `user-id` to the tenant the vault belongs to (the reference tool\'s KNOWTATION_CANISTER_BACKUP_USER_ID).',
      );
    }
    return {
      format,
      kind,
      formatVersion: doc.format_version,
      exportedAt: doc.exported_at,
      users: [{ user_id: userId, vaults: [{ vault_id: doc.vault_id, notes: doc.notes }], proposals: doc.proposals }],
    };
  }
  throw new Ktb1FormatError(
    `${where} is JSON of kind ${JSON.stringify(kind ?? null)}, not a Knowtation operator export.`,
    'Import files of kind `knowtation-operator-full-export` or `knowtation-operator-vault-export`.',
  );
}

/** The archive records of an imported document, with the counts they add up to. */
export function* importedRecords(
  doc: ImportedDocument,
  now: Date,
  totals: { counts: RecordCounts; perUser: Map<string, UserCounts>; duplicateUsers: number },
): Generator<ArchiveRecord> {
  const header: HeaderRecord = {
    type: 'header',
    format: ARCHIVE_FORMAT,
    format_version: ARCHIVE_FORMAT_VERSION,
    kind: ARCHIVE_KIND,
    exported_at: validIso(doc.exportedAt) ?? now.toISOString(),
    mode: 'ktb1-import',
    imported_from: {
      format: doc.format,
      kind: doc.kind,
      format_version: doc.formatVersion,
      ...(doc.exportedAt !== undefined ? { exported_at: doc.exportedAt } : {}),
    },
  };
  yield header;
  const { counts, perUser } = totals;
  const proposalsSeen = new Map<string, Set<string>>();
  for (const user of doc.users) {
    // The reference tool did not de-duplicate its user index, so a user can appear twice:
    // one user record, and the vaults and proposals of every entry (nothing is dropped).
    let mine = perUser.get(user.user_id);
    if (!mine) {
      mine = { vaults: 0, notes: 0, proposals: 0, invalidProposals: 0 };
      perUser.set(user.user_id, mine);
      yield { type: 'user', user_id: user.user_id, vault_ids: user.vaults.map((v) => v.vault_id) };
      counts.users++;
    } else {
      totals.duplicateUsers++;
    }
    for (const vault of user.vaults) {
      yield { type: 'vault', user_id: user.user_id, vault_id: vault.vault_id, notes: vault.notes };
      counts.vaults++;
      counts.notes += vault.notes.length;
      mine.vaults++;
      mine.notes += vault.notes.length;
    }
    const seen = proposalsSeen.get(user.user_id) ?? new Set<string>();
    proposalsSeen.set(user.user_id, seen);
    for (const proposal of user.proposals) {
      const raw = (proposal as { proposal_id?: unknown } | null)?.proposal_id;
      const id = typeof raw === 'string' || typeof raw === 'number' ? String(raw) : '';
      if (id !== '') {
        if (seen.has(id)) continue;
        seen.add(id);
      }
      yield { type: 'proposal', user_id: user.user_id, proposal_id: id, proposal };
      counts.proposals++;
      mine.proposals++;
    }
  }
}

/** Options of a KTB1 import source; the resolved `canister-export` options satisfy it. */
export interface Ktb1SourceOptions {
  readonly ktb1File: string | undefined;
  readonly ktb1Key?: string | undefined;
  /** The tenant of a single-vault file. */
  readonly userId?: string | undefined;
  readonly compression?: CompressionPreference;
}

/**
 * A backup source that turns a reference-tool export file into the same archive records as a
 * live export, so imported exports are listed, retained and drilled like any other. The file
 * is read, decrypted and validated in `start`, before any byte is produced.
 */
export function createKtb1Source(options: Ktb1SourceOptions, context: RunContext): BackupSource {
  context.reporter.secret(options.ktb1Key);
  const file = options.ktb1File;
  if (!file) throw new OptionError('No file to import.', 'Set `ktb1-file` to the path of the reference tool\'s export file.');
  const compression = chooseCompression(options.compression);
  return {
    kind: 'canister',
    defaultName: 'canister-export',
    payloadFile: payloadName(EXPORT_PAYLOAD_BASE, compression),
    async start(signal: AbortSignal): Promise<SourceRun> {
      const doc = await readReferenceExport(file, options.ktb1Key, options.userId);
      context.reporter.info(`Importing ${doc.format} file ${basename(file)}: ${doc.kind} v${doc.formatVersion}, exported ${doc.exportedAt ?? 'at an unknown time'}.`);
      return startRecordStream(
        compression,
        4,
        async (emit, runSignal) => {
          const totals = { counts: emptyCounts(), perUser: new Map<string, UserCounts>(), duplicateUsers: 0 };
          for (const record of importedRecords(doc, context.now(), totals)) {
            runSignal.throwIfAborted();
            await emit(record);
          }
          if (totals.duplicateUsers > 0) {
            context.reporter.warning(
              `The file lists ${totals.duplicateUsers} user entr${totals.duplicateUsers === 1 ? 'y' : 'ies'} more than once; every entry's vaults and proposals were kept under one user record.`,
            );
          }
          await emit({
            type: 'trailer',
            complete: true,
            counts: totals.counts,
            invalid_proposals: 0,
            users_appeared: [],
            users_vanished: [],
            users_missing: [],
            finished_at: context.now().toISOString(),
          });
          const manifest: CanisterManifestSection = {
            kind: 'canister',
            mode: 'ktb1-import',
            format: ARCHIVE_FORMAT,
            formatVersion: ARCHIVE_FORMAT_VERSION,
            counts: { ...totals.counts },
            complete: true,
            usersAppeared: 0,
            usersVanished: 0,
            usersMissing: 0,
            invalidProposals: 0,
            compression: compression.kind,
            compressor: compression.via,
            importedFrom: { format: doc.format, kind: doc.kind, formatVersion: doc.formatVersion, exportedAt: validIso(doc.exportedAt) },
          };
          return { manifest, stats: { users: Object.fromEntries(totals.perUser), importedFile: basename(file) } };
        },
        signal,
      );
    },
  };
}

function check<S extends z.ZodType>(schema: S, json: unknown, where: string): z.output<S> {
  const result = schema.safeParse(json);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new Ktb1FormatError(
    `${where} is not a valid Knowtation export: ${issue?.path.join('.') || '(root)'}: ${issue?.message}.`,
    'The file is damaged or from an unknown version of the reference tool; use another copy.',
  );
}

function validIso(text: string | undefined): string | undefined {
  if (!text) return undefined;
  const time = Date.parse(text);
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}
