import { describe, expect, it } from 'vitest';
import { actionOperations } from '@lifeboat/core';
import { runBundledAction } from './support/run-action.js';

describe.each(actionOperations.map((op) => ({ folder: op.action!.folder, operation: op })))(
  'bundled actions/$folder under Node 24',
  ({ folder, operation }) => {
    const required = Object.entries(operation.options)
      .filter(([, def]) => def.required)
      .map(([name]) => name);

    it('given no inputs, fails with one line naming the missing input, no stack trace', async () => {
      const run = await runBundledAction(folder, {});
      expect(run.code).not.toBe(0);
      const errors = run.stdout.split('\n').filter((line) => line.startsWith('::error::'));
      expect(errors).toHaveLength(1);
      for (const name of required) expect(errors[0]).toContain(`Missing required input \`${name}\``);
      expect(run.stdout + run.stderr).not.toMatch(/^\s+at /m);
      expect(run.outputs).toEqual({});
    });

    it('given a malformed input, names it and the accepted form', async () => {
      const inputs = Object.fromEntries(required.map((name) => [name, 'x']));
      const run = await runBundledAction(folder, { ...inputs, 's3-force-path-style': 'perhaps' });
      expect(run.code).not.toBe(0);
      expect(run.stdout).toContain("::error::Invalid input `s3-force-path-style` (got 'perhaps'): expected `true` or `false`.");
    });
  },
);
