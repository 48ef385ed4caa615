/**
 * The Actions reporter's artifact upload, against a protocol-level peer of the GitHub artifact
 * service (GitHub's own cannot run here), and what loading the library pulls in: the toolkit's
 * artifact and cache clients and the AWS SDK load only when a run uses them.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { inflateRawSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileCore } from '../../../../test/bench-support/compile-core.js';
import { startArtifactServicePeer, type ArtifactServicePeer } from '../../../../test/storage/artifact-service-peer.js';
import { ActionsReporter } from './actions-reporter.js';

/** The entries of a zip archive, read from its central directory. */
function unzip(zip: Buffer): Map<string, Buffer> {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const entries = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    const method = zip.readUInt16LE(at + 10);
    const compressedSize = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const local = zip.readUInt32LE(at + 42);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const data = zip.subarray(start, start + compressedSize);
    entries.set(name, method === 8 ? inflateRawSync(data) : Buffer.from(data));
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

describe('ActionsReporter.attach', () => {
  let peer: ArtifactServicePeer;
  let dir: string;
  const saved: Record<string, string | undefined> = {};

  beforeAll(async () => {
    peer = await startArtifactServicePeer();
    dir = mkdtempSync(join(tmpdir(), 'lifeboat-attach-test-'));
    // @actions/artifact reads the runtime from the process environment; this file runs in its own worker.
    const env = { ACTIONS_RUNTIME_TOKEN: peer.runtimeToken, ACTIONS_RESULTS_URL: peer.resultsUrl, GITHUB_SERVER_URL: 'https://github.com', GITHUB_WORKSPACE: dir };
    for (const [name, value] of Object.entries(env)) {
      saved[name] = process.env[name];
      process.env[name] = value;
    }
  });
  afterAll(async () => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
    await peer?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('uploads the files as one artifact, named as asked, with its retention', async () => {
    const evidence = '{"verdict":"pass"}\n';
    const summary = '# Restore drill\n\nPassed.\n';
    writeFileSync(join(dir, 'evidence.json'), evidence);
    writeFileSync(join(dir, 'evidence.md'), summary);

    await new ActionsReporter().attach('lifeboat-drill-shop', [join(dir, 'evidence.json'), join(dir, 'evidence.md')], dir, { retentionDays: 7 });

    const artifact = peer.artifacts.get('lifeboat-drill-shop');
    expect(artifact?.finalized).toBe(true);
    expect(artifact?.expiresAt).toBeDefined();
    expect(artifact!.size).toBe(artifact!.content.length);
    const files = unzip(artifact!.content);
    expect([...files.keys()].sort()).toEqual(['evidence.json', 'evidence.md']);
    expect(files.get('evidence.json')?.toString()).toBe(evidence);
    expect(files.get('evidence.md')?.toString()).toBe(summary);
  });
});

describe('loading the library', () => {
  it('leaves the artifact and cache clients and the AWS SDK unloaded until a run needs them', async () => {
    const core = await compileCore({});
    try {
      // A resolve hook in a fresh Node process lists every package the library's import resolves.
      const root = join(core.libDir, '..');
      writeFileSync(
        join(root, 'record-packages.mjs'),
        `export async function resolve(specifier, context, next) {
  if (!/^(node:|file:|data:|\\.|\\/)/.test(specifier)) process.stdout.write(specifier.split('/').slice(0, specifier.startsWith('@') ? 2 : 1).join('/') + '\\n');
  return next(specifier, context);
}\n`,
      );
      writeFileSync(
        join(root, 'load.mjs'),
        `import { register } from 'node:module';
register('./record-packages.mjs', import.meta.url);
await import(${JSON.stringify(core.indexUrl)});\n`,
      );
      const { stdout } = await promisify(execFile)(process.execPath, [join(root, 'load.mjs')], { cwd: root, env: { ...process.env, NODE_OPTIONS: '' } });
      const loaded = new Set(stdout.split('\n').filter(Boolean));

      expect(loaded).toContain('zod'); // the hook saw the library's imports
      for (const heavy of ['@actions/artifact', '@actions/cache', '@aws-sdk/client-s3', '@aws-sdk/lib-storage']) {
        expect(loaded, `${heavy} is loaded with the library`).not.toContain(heavy);
      }
    } finally {
      await core.cleanup();
    }
  });
});
