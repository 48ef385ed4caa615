import { describe, expect, it } from 'vitest';
import { defineOperation, resolveOptions } from '../../packages/core/src/options/define.js';
import { objectSource } from '../../packages/core/src/options/sources.js';
import { toolchainOptions } from '../../packages/core/src/options/toolchain.js';
import { OptionError } from '../../packages/core/src/report/errors.js';

const operation = defineOperation({ command: 'probe', summary: 'probe', options: toolchainOptions, outputs: {} });

describe('postgres-client-version', () => {
  it('is optional and parses a major', () => {
    expect(resolveOptions(operation, objectSource({})).postgresClientVersion).toBeUndefined();
    expect(resolveOptions(operation, objectSource({ 'postgres-client-version': ' 17 ' })).postgresClientVersion).toBe(17);
  });

  it.each(['16.4', 'latest', '9'])('refuses %j, naming the option and the accepted form', (raw) => {
    const error = (() => {
      try {
        resolveOptions(operation, objectSource({ 'postgres-client-version': raw }));
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(OptionError);
    expect((error as Error).message).toContain('option `postgres-client-version`');
    expect((error as Error).message).toContain('a whole number from 10 to 99');
  });
});
