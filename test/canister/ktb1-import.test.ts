import { createCipheriv, randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createKtb1Source,
  describeError,
  Ktb1DecryptError,
  Ktb1FormatError,
  OptionError,
  verifyCanisterArchive,
} from '@lifeboat/core';
import { drainSource, readRecords, tempFolder, testContext } from './support.js';

/** A KTB1 file as the reference tool writes it: magic, 12-byte IV, AES-256-GCM ciphertext, 16-byte tag. */
function ktb1(plaintext: string, key: Buffer): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([Buffer.from('KTB1'), iv, body, cipher.getAuthTag()]);
}

const fullExport = {
  format_version: 4,
  kind: 'knowtation-operator-full-export',
  exported_at: '2026-04-08T15:30:22.000Z',
  users: [
    {
      user_id: 'alice',
      vaults: [
        { vault_id: 'default', notes: [{ path: 'a.md', frontmatter: 'title: A', body: 'alpha' }, { path: 'b.md', frontmatter: '', body: 'beta' }] },
        { vault_id: 'work', notes: [{ path: 'w.md', frontmatter: '', body: 'work' }] },
      ],
      proposals: [{ proposal_id: 'p1', body: 'change' }, { proposal_id: 'p2', body: 'other' }],
    },
    { user_id: 'bob', vaults: [{ vault_id: 'default', notes: [] }], proposals: [] },
  ],
};

const key = randomBytes(32);
const keyHex = key.toString('hex');
let folder: Awaited<ReturnType<typeof tempFolder>>;
beforeAll(async () => {
  folder = await tempFolder();
});
afterAll(async () => {
  await folder.remove();
});

async function file(name: string, bytes: Buffer | string): Promise<string> {
  const path = join(folder.path, name);
  await writeFile(path, bytes);
  return path;
}

describe('KTB1 import', () => {
  it('decrypts a reference-tool file into the same records, counts and checks as a live export', async () => {
    const path = await file('full.json.enc', ktb1(JSON.stringify(fullExport), key));
    const context = testContext();
    const source = createKtb1Source({ ktb1File: path, ktb1Key: keyHex, compression: 'gzip' }, context);
    expect(source.kind).toBe('canister');
    const out = join(folder.path, 'full.ndjson.gz');
    const result = await drainSource(source, out);

    const records = await readRecords(out, 'gzip');
    expect(records.map((r) => r.type)).toEqual(['header', 'user', 'vault', 'vault', 'proposal', 'proposal', 'user', 'vault', 'trailer']);
    expect(records[0]).toMatchObject({
      mode: 'ktb1-import',
      exported_at: fullExport.exported_at,
      imported_from: { format: 'KTB1', kind: 'knowtation-operator-full-export', format_version: 4 },
    });
    expect(records[2]).toEqual({ type: 'vault', user_id: 'alice', vault_id: 'default', notes: fullExport.users[0]!.vaults[0]!.notes });
    expect(records[4]).toEqual({ type: 'proposal', user_id: 'alice', proposal_id: 'p1', proposal: fullExport.users[0]!.proposals[0] });
    const counts = { users: 2, vaults: 3, notes: 3, proposals: 2 };
    expect(records.at(-1)).toMatchObject({ type: 'trailer', complete: true, counts });
    expect(result.manifest).toMatchObject({ kind: 'canister', mode: 'ktb1-import', counts, complete: true, importedFrom: { format: 'KTB1' } });

    const { checks } = await verifyCanisterArchive(out, result.manifest);
    expect(checks.filter((c) => !c.ok)).toEqual([]);
    expect(context.reporter.text()).not.toContain(keyHex);
  });

  it('imports the plain JSON the reference tool wrote without a key', async () => {
    const path = await file('full.json', JSON.stringify(fullExport));
    const result = await drainSource(createKtb1Source({ ktb1File: path, compression: 'gzip' }, testContext()), join(folder.path, 'plain.gz'));
    expect(result.manifest).toMatchObject({ counts: { users: 2 }, importedFrom: { format: 'json' } });
  });

  it('imports a single-vault file under the tenant named by user-id, and asks for it when missing', async () => {
    const vaultExport = { format_version: 2, kind: 'knowtation-operator-vault-export', exported_at: '2026-01-02T03:04:05Z', vault_id: 'default', notes: [{ path: 'x.md' }], proposals: [{ proposal_id: 'p9' }] };
    const path = await file('vault.json.enc', ktb1(JSON.stringify(vaultExport), key));
    const missing = await createKtb1Source({ ktb1File: path, ktb1Key: keyHex }, testContext())
      .start(new AbortController().signal)
      .catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(OptionError);
    expect((missing as OptionError).fix).toContain('user-id');

    const out = join(folder.path, 'vault.gz');
    const result = await drainSource(createKtb1Source({ ktb1File: path, ktb1Key: keyHex, userId: 'carol', compression: 'gzip' }, testContext()), out);
    expect(result.manifest.counts).toEqual({ users: 1, vaults: 1, notes: 1, proposals: 1 });
    expect((await readRecords(out, 'gzip'))[1]).toEqual({ type: 'user', user_id: 'carol', vault_ids: ['default'] });
  });

  it('a wrong key is a clear error, before any byte is produced, and the key is not shown', async () => {
    const path = await file('wrong.json.enc', ktb1(JSON.stringify(fullExport), key));
    const wrong = randomBytes(32).toString('hex');
    const error = await createKtb1Source({ ktb1File: path, ktb1Key: wrong }, testContext())
      .start(new AbortController().signal)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Ktb1DecryptError);
    expect(describeError(error)).toContain('could not be decrypted: the key is wrong, or the file was altered or truncated');
    expect(describeError(error)).not.toContain(wrong);
  });

  it('an altered byte fails authentication like a wrong key', async () => {
    const bytes = ktb1(JSON.stringify(fullExport), key);
    bytes[40] = bytes[40]! ^ 0x01;
    const error = await createKtb1Source({ ktb1File: await file('altered.json.enc', bytes), ktb1Key: keyHex }, testContext())
      .start(new AbortController().signal)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Ktb1DecryptError);
  });

  it.each([
    ['truncated.enc', Buffer.concat([Buffer.from('KTB1'), randomBytes(20)]), Ktb1FormatError, 'too short'],
    ['random.bin', randomBytes(100), Ktb1FormatError, 'neither a KTB1 file'],
    ['other.json', JSON.stringify({ kind: 'something-else' }), Ktb1FormatError, 'not a Knowtation operator export'],
    ['broken.json', '{"kind": "knowtation-operator-full-export", "users": [', Ktb1FormatError, 'does not hold valid JSON'],
    ['bad-shape.json', JSON.stringify({ format_version: 4, kind: 'knowtation-operator-full-export', users: 'x' }), Ktb1FormatError, 'users'],
  ] as const)('refuses %s with what is wrong', async (name, bytes, type, message) => {
    const error = await createKtb1Source({ ktb1File: await file(name, bytes), ktb1Key: keyHex }, testContext())
      .start(new AbortController().signal)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(type);
    expect((error as Error).message).toContain(message);
    expect((error as Ktb1FormatError).fix).toBeTruthy();
  });

  it('refuses a key that is not 64 hex characters, and a missing file', async () => {
    const path = await file('k.json.enc', ktb1('{}', key));
    const short = await createKtb1Source({ ktb1File: path, ktb1Key: 'abcd' }, testContext())
      .start(new AbortController().signal)
      .catch((e: unknown) => e);
    expect(short).toBeInstanceOf(OptionError);
    expect((short as Error).message).toContain('64 hex characters');
    const absent = await createKtb1Source({ ktb1File: join(folder.path, 'absent.enc'), ktb1Key: keyHex }, testContext())
      .start(new AbortController().signal)
      .catch((e: unknown) => e);
    expect(absent).toBeInstanceOf(OptionError);
    expect((absent as Error).message).toContain('ENOENT');
    expect(() => createKtb1Source({ ktb1File: undefined }, testContext())).toThrow(OptionError);
  });

  it('keeps every entry of a user listed twice under one user record', async () => {
    const twice = {
      ...fullExport,
      users: [fullExport.users[0], { user_id: 'alice', vaults: [{ vault_id: 'extra', notes: [{ path: 'e.md' }] }], proposals: [{ proposal_id: 'p1' }, { proposal_id: 'p3' }] }],
    };
    const out = join(folder.path, 'twice.gz');
    const context = testContext();
    const result = await drainSource(createKtb1Source({ ktb1File: await file('twice.json', JSON.stringify(twice)), compression: 'gzip' }, context), out);
    expect(result.manifest.counts).toEqual({ users: 1, vaults: 3, notes: 4, proposals: 3 });
    expect(context.reporter.lines.some((l) => l.level === 'warning' && l.message.includes('more than once'))).toBe(true);
    const { checks } = await verifyCanisterArchive(out, result.manifest);
    expect(checks.filter((c) => !c.ok)).toEqual([]);
  });
});
