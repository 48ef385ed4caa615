import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import {
  actionOperations,
  allOperations,
  onSurface,
  type OptionDef,
  renderActionYaml,
  renderOptionsMarkdown,
  replaceGeneratedSections,
} from '@lifeboat/core';
import { repoRoot } from './support/node24.js';

interface ActionYaml {
  runs: { using: string; main: string };
  inputs: Record<string, { description: string; required: boolean; default?: string }>;
  outputs: Record<string, { description: string }>;
  branding: { icon: string; color: string };
}

const entries = await Promise.all(
  actionOperations.map(async (operation) => {
    const folder = operation.action!.folder;
    const main = (await import(join(repoRoot, 'actions', folder, 'src', 'main.ts'))) as { operation: typeof operation & { run?: unknown } };
    const yaml = parse(readFileSync(join(repoRoot, 'actions', folder, 'action.yml'), 'utf8')) as ActionYaml;
    return { folder, operation, main, yaml };
  }),
);

describe.each(entries)('actions/$folder/action.yml', ({ folder, operation, main, yaml }) => {
  it('belongs to the operation its main.ts runs', () => {
    // main.ts runs the runnable form of the definition: the same options, command and action.
    expect(main.operation.options).toBe(operation.options);
    expect(main.operation.command).toBe(operation.command);
    expect(main.operation.action?.folder).toBe(folder);
    expect(typeof main.operation.run).toBe('function');
  });

  it('runs the committed bundle on node24', () => {
    expect(yaml.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
    expect(yaml.branding.icon).toBeTruthy();
  });

  it('declares every schema option, with the same default and requiredness', () => {
    for (const [name, def] of Object.entries(operation.options)) {
      if (!onSurface(def, 'action')) continue;
      const input = yaml.inputs[name];
      expect(input, `input ${name} missing`).toBeDefined();
      expect(input!.default, `default of ${name}`).toBe(def.default);
      expect(input!.required, `required of ${name}`).toBe(def.required === true);
      expect(input!.description.length).toBeGreaterThan(10);
    }
  });

  it('declares no input the schema does not read', () => {
    for (const name of Object.keys(yaml.inputs)) {
      const def = (operation.options as Record<string, OptionDef>)[name];
      expect(def && onSurface(def, 'action'), `input ${name} is not read by the ${operation.command} schema`).toBe(true);
    }
  });

  it('declares exactly the schema outputs', () => {
    expect(Object.keys(yaml.outputs).sort()).toEqual(Object.keys(operation.outputs).sort());
  });

  it('is exactly what `npm run docs` generates', () => {
    expect(readFileSync(join(repoRoot, 'actions', folder, 'action.yml'), 'utf8')).toBe(renderActionYaml(operation));
  });
});

describe('README and docs', () => {
  it('docs/cli.md has the generated option tables of every operation, up to date', () => {
    const readme = readFileSync(join(repoRoot, 'docs', 'cli.md'), 'utf8');
    const sections = Object.fromEntries(allOperations.map((op) => [op.command, renderOptionsMarkdown(op)]));
    for (const op of allOperations) expect(readme).toContain(`<!-- options:${op.command} -->`);
    expect(replaceGeneratedSections(readme, sections)).toBe(readme);
  });

  it.each(allOperations.filter((op) => op.action).map((op) => [op.action!.folder, op] as const))(
    'actions/%s/README.md has its generated option table, up to date',
    (folder, operation) => {
      const text = readFileSync(join(repoRoot, 'actions', folder, 'README.md'), 'utf8');
      const sections = Object.fromEntries(allOperations.map((op) => [op.command, renderOptionsMarkdown(op)]));
      expect(text).toContain(`<!-- options:${operation.command} -->`);
      expect(replaceGeneratedSections(text, sections)).toBe(text);
    },
  );

  it('starts with the two commands', () => {
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    const first = readme.indexOf('npm ci && npm start');
    expect(first).toBeGreaterThan(0);
    expect(readme.indexOf('npm test')).toBeGreaterThan(first);
    expect(first).toBeLessThan(readme.indexOf('## Using it from a workflow'));
  });
});
