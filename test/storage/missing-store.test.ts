import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  createContext,
  drill,
  drillOperation,
  gate,
  gateOperation,
  MemoryReporter,
  operations,
  prune,
  pruneOperation,
  StoreFolderMissingError,
  verify,
  verifyOperation,
} from '@lifeboat/core';
import { resolveOptions } from '../../packages/core/src/options/define.js';
import { objectSource } from '../../packages/core/src/options/sources.js';
import { tempFolder } from '../support/temp-folders.js';

const context = () => createContext(new MemoryReporter(), 'cli', {});
const FOLDER_MISSING = /The store folder .*no-such-store does not exist\./;

describe('operations that read a store that is not there', () => {
  it('verify, prune and the gate fail naming the folder instead of finding nothing', async () => {
    const store = join(tempFolder('lifeboat-missing-store-'), 'no-such-store');
    await expect(verify(resolveOptions(verifyOperation, objectSource({ store, name: 'app' })), context())).rejects.toBeInstanceOf(StoreFolderMissingError);
    await expect(prune(resolveOptions(pruneOperation, objectSource({ store, name: 'app', 'keep-last': '2' })), context())).rejects.toThrow(FOLDER_MISSING);
    await expect(gate(resolveOptions(gateOperation, objectSource({ store, name: 'app' })), context())).rejects.toThrow(FOLDER_MISSING);
    expect(existsSync(store)).toBe(false);
  });

  it('restore fails naming the folder before it looks at the target', async () => {
    const store = join(tempFolder('lifeboat-missing-store-'), 'no-such-store');
    const options = resolveOptions(operations.restore, objectSource({ store, name: 'app', 'allow-unsigned': 'true', 'target-database-url': 'postgres://nobody@127.0.0.1:1/none' }));
    await expect(operations.restore.run(options, context())).rejects.toThrow(FOLDER_MISSING);
  });

  it('a drill fails in its select phase naming the folder, and writes no drill record there', async () => {
    const parent = tempFolder('lifeboat-missing-store-');
    const store = join(parent, 'no-such-store');
    const outcome = await drill(resolveOptions(drillOperation, objectSource({ store, name: 'app', 'allow-unsigned': 'true', 'evidence-dir': join(parent, 'evidence') })), context());
    expect(outcome.ok).toBe(false);
    expect(outcome.failure).toMatch(/The store folder .*no-such-store does not exist\. Check `store` for a typo/);
    expect(existsSync(store)).toBe(false);
    expect(readdirSync(join(parent, 'evidence')).length).toBeGreaterThan(0);
  });
});
