import { describe, expect, it } from 'vitest';
import { parseGpgVersion } from './gpg-binary.js';
import { gpgReason, judgeGpgStatus } from './gpg-status.js';

const lines = (text: string) => text.trim().split('\n').map((l) => `[GNUPG:] ${l.trim()}`);

describe("gpg's status lines", () => {
  it('trusts only exit 0 with DECRYPTION_OKAY and GOODMDC', () => {
    const good = lines('BEGIN_DECRYPTION\nDECRYPTION_INFO 2 9 0\nPLAINTEXT 62 0 x\nDECRYPTION_OKAY\nGOODMDC\nEND_DECRYPTION');
    expect(judgeGpgStatus(good, 0)).toEqual({ ok: true });
    expect(judgeGpgStatus(good, 2)).toEqual({ ok: false, kind: 'failed' });
    expect(judgeGpgStatus(good, null)).toEqual({ ok: false, kind: 'failed' });
  });

  it('a decryption without a modification detection code is refused', () => {
    expect(judgeGpgStatus(lines('BEGIN_DECRYPTION\nDECRYPTION_OKAY\nEND_DECRYPTION'), 0)).toEqual({ ok: false, kind: 'no-integrity' });
  });

  it('BADMDC is a modified message, whatever else is said', () => {
    expect(judgeGpgStatus(lines('BEGIN_DECRYPTION\nBADMDC\nDECRYPTION_FAILED\nEND_DECRYPTION'), 2)).toEqual({ ok: false, kind: 'modified' });
    expect(judgeGpgStatus(lines('DECRYPTION_OKAY\nGOODMDC\nBADMDC'), 0)).toEqual({ ok: false, kind: 'modified' });
  });

  it.each(['DECRYPTION_FAILED', 'ERROR decrypt 58', 'FAILURE gpg-exit 33554433', 'NODATA 2', 'UNEXPECTED 0'])('%s fails the run even beside DECRYPTION_OKAY and GOODMDC', (line) => {
    expect(judgeGpgStatus(lines(`DECRYPTION_OKAY\nGOODMDC\n${line}`), 0)).toEqual({ ok: false, kind: 'failed' });
  });

  it("gpg's own check of a passphrase-derived key", () => {
    const wrong = lines('NEED_PASSPHRASE_SYM 3 3 2\nBEGIN_DECRYPTION\nDECRYPTION_INFO 2 3 0\nERROR symkey_decrypt.maybe_error 11_BAD_PASSPHRASE\nDECRYPTION_FAILED\nEND_DECRYPTION');
    expect(judgeGpgStatus(wrong, 2)).toEqual({ ok: false, kind: 'bad-passphrase' });
  });

  it('no status at all is a failure', () => {
    expect(judgeGpgStatus([], 0)).toEqual({ ok: false, kind: 'failed' });
    expect(judgeGpgStatus([''], 0)).toEqual({ ok: false, kind: 'failed' });
  });

  it("gpg's reason leaves out debug lines and the session key", () => {
    const key = 'B2A1203FB29EE7695FEFFD57E19387D59C5B1E8A21663E0771DF24083FD9FE53';
    const stderr = [
      `gpg: DBG: seskey: 9:${key}`,
      'gpg: problem reading source (10 bytes remaining)',
      `gpg: something about 9:${key.toLowerCase()}`,
      'not a gpg line',
      'gpg: decryption failed: Invalid packet',
    ].join('\n');
    expect(gpgReason(stderr, key)).toBe('problem reading source (10 bytes remaining); decryption failed: Invalid packet');
    expect(gpgReason('', key)).toBe('');
    expect(gpgReason('gpg: the passphrase is hunter2 hunter2\ngpg: decryption failed: Bad session key', 'hunter2 hunter2')).toBe('decryption failed: Bad session key');
  });

  it("reads GnuPG's version line", () => {
    expect(parseGpgVersion('gpg (GnuPG) 2.2.40\nlibgcrypt 1.10.1\n')).toBe('2.2.40');
    expect(parseGpgVersion('gpg (GnuPG/MacGPG2) 2.2.41\n')).toBe('2.2.41');
    expect(parseGpgVersion('gpg (GnuPG) 2.4.7\n')).toBe('2.4.7');
    expect(parseGpgVersion('gpg (GnuPG) 1.4.23\n')).toBe('1.4.23');
    expect(parseGpgVersion('sq 0.38.0')).toBeUndefined();
  });
});
