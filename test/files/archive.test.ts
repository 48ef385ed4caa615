/**
 * The files archive itself: the tar stream the source writes (read by the system's tar), a
 * byte changed inside it (as an unencrypted or otherwise damaged backup would have) named by
 * the SHA256SUMS check, restores that leave nothing behind, entries refused on extraction.
 */
import { execFile } from 'node:child_process';
import { createWriteStream, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import { pack } from 'tar-stream';
import { describe, expect, it } from 'vitest';
import { restoreInto } from '../../packages/core/src/engines/files/drill.js';
import { extractArchive } from '../../packages/core/src/engines/files/extract.js';
import { createFilesSource } from '../../packages/core/src/engines/files/source.js';
import { tempFolder } from '../support/temp-folders.js';
import { SAMPLE_FILES, SAMPLE_PATHS, writeSample } from './sample.js';

const run = promisify(execFile);

async function archiveOf(root: string, paths = SAMPLE_PATHS): Promise<{ file: string; stats: Record<string, unknown> }> {
  const source = await createFilesSource({ paths: paths.split(','), root });
  const started = await source.start(new AbortController().signal);
  const file = join(tempFolder('lifeboat-files-archive-'), 'files.tar');
  await pipeline(started.stream, createWriteStream(file));
  return { file, stats: (await started.result).stats };
}

describe('the files archive', () => {
  it('is a tar the system tar reads, with modes, links, and SHA256SUMS last', async () => {
    const root = tempFolder('lifeboat-files-root-');
    writeSample(root);
    const { file, stats } = await archiveOf(root);
    expect(stats).toMatchObject({ files: 5, directories: 3, symlinks: 2, skipped: [], paths: SAMPLE_PATHS.split(',') });
    const { stdout } = await run('tar', ['-tvf', file]);
    const lines = stdout.trim().split('\n');
    expect(lines.at(-1)).toMatch(/ SHA256SUMS$/);
    expect(lines.find((l) => l.endsWith(' deploy/start.sh'))).toMatch(/^-rwxr-xr-x /);
    expect(lines.find((l) => l.endsWith(' deploy/nginx/site.conf'))).toMatch(/^-rw------- /);
    expect(lines.find((l) => l.includes(' deploy/outside'))).toMatch(/^l.* deploy\/outside -> \/etc\/hostname$/);
    expect(lines.find((l) => l.includes('with space ü.txt'))).toBeTruthy();
  });

  it('names the file whose bytes were changed inside the archive, and a restore leaves nothing behind', async () => {
    const root = tempFolder('lifeboat-files-root-');
    writeSample(root);
    const { file } = await archiveOf(root);
    const bytes = readFileSync(file);
    const at = bytes.indexOf('db.internal');
    expect(at).toBeGreaterThan(0);
    bytes[at] = 'D'.charCodeAt(0);
    writeFileSync(file, bytes);

    const dir = tempFolder('lifeboat-files-extract-');
    const extracted = await extractArchive(file, dir);
    expect(extracted.mismatched).toEqual(['etc/app.yaml']);
    expect(extracted.missing).toEqual([]);

    const target = join(tempFolder('lifeboat-files-target-'), 'restored');
    await expect(restoreInto(file, target)).rejects.toThrow(/SHA-256 does not match SHA256SUMS for etc\/app\.yaml\. Nothing was left in /);
    expect(readdirSync(target)).toEqual([]);
  });

  it('refuses entries that would land outside the folder, or go through a link', async () => {
    const cases: [string, (p: ReturnType<typeof pack>) => void, RegExp][] = [
      ['a name with ..', (p) => p.entry({ name: '../escape.txt' }, 'x'), /would land outside the restore folder/],
      ['an absolute name', (p) => p.entry({ name: '/tmp/escape.txt' }, 'x'), /would land outside the restore folder/],
      [
        'a file through a link',
        (p) => {
          p.entry({ name: 'out', type: 'symlink', linkname: '/tmp' });
          p.entry({ name: 'out/escape.txt' }, 'x');
        },
        /goes through the symbolic link out/,
      ],
      ['a device', (p) => p.entry({ name: 'dev', type: 'character-device' }), /of type character-device, which a files backup never writes/],
    ];
    for (const [what, entries, message] of cases) {
      const archive = pack();
      entries(archive);
      archive.finalize();
      const file = join(tempFolder('lifeboat-files-archive-'), 'bad.tar');
      await pipeline(archive, createWriteStream(file));
      const dir = tempFolder('lifeboat-files-extract-');
      await expect(extractArchive(file, dir), what).rejects.toThrow(message);
    }
  });

  it('calls an archive without SHA256SUMS, or not a tar at all, damaged', async () => {
    const archive = pack();
    archive.entry({ name: 'etc/app.yaml' }, SAMPLE_FILES['etc/app.yaml']!);
    archive.finalize();
    const file = join(tempFolder('lifeboat-files-archive-'), 'nosums.tar');
    await pipeline(archive, createWriteStream(file));
    await expect(restoreInto(file, join(tempFolder('lifeboat-files-target-'), 'r'))).rejects.toThrow(/the archive has no SHA256SUMS/);
    const junk = join(tempFolder('lifeboat-files-archive-'), 'junk.tar');
    writeFileSync(junk, Buffer.alloc(2048, 7));
    await expect(extractArchive(junk, tempFolder('lifeboat-files-extract-'))).rejects.toThrow(/is not a whole tar archive/);
  });
});
