import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { drillRecordSchema } from '../../packages/core/src/catalog/drill-record.js';
import { manifestSchema } from '../../packages/core/src/catalog/manifest.js';

const doc = readFileSync(join(import.meta.dirname, '..', '..', 'docs', 'storage-format.md'), 'utf8');

/** Dotted paths of every field of an object schema (`objects[].sha256`), looking through optional, default and array wrappers. */
function fieldPaths(schema: z.ZodType, prefix = ''): string[] {
  const def = (schema as unknown as { def: { type: string; innerType?: z.ZodType; element?: z.ZodType } }).def;
  if ((def.type === 'optional' || def.type === 'default' || def.type === 'nullable') && def.innerType) return fieldPaths(def.innerType, prefix);
  if (def.type === 'array' && def.element) return fieldPaths(def.element, `${prefix}[]`);
  if (def.type !== 'object') return [];
  const shape = (schema as unknown as { shape: Record<string, z.ZodType> }).shape;
  return Object.entries(shape).flatMap(([key, field]) => {
    const path = prefix ? `${prefix}.${key}` : key;
    return [path, ...fieldPaths(field, path)];
  });
}

/** The rows of the field table under a heading: the first cell of each, without backticks. */
function documentedFields(heading: string): string[] {
  const start = doc.indexOf(`\n## ${heading}\n`);
  expect(start, `docs/storage-format.md has a "## ${heading}" section`).toBeGreaterThan(-1);
  const end = doc.indexOf('\n## ', start + 1);
  const section = doc.slice(start, end === -1 ? undefined : end);
  return [...section.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1]!);
}

/** Fields whose row says they have "the same fields as" another section's: their sub-fields are described there. */
function sharedFields(heading: string): string[] {
  const start = doc.indexOf(`\n## ${heading}\n`);
  const end = doc.indexOf('\n## ', start + 1);
  const section = doc.slice(start, end === -1 ? undefined : end);
  return [...section.matchAll(/^\| `([^`]+)` \|.*the same fields as/gm)].map((m) => m[1]!);
}

describe('docs/storage-format.md', () => {
  it.each([
    ['manifest.json', manifestSchema],
    ['Drill records', drillRecordSchema],
  ] as const)('describes every field of %s, and only fields that exist', (heading, schema) => {
    const fields = fieldPaths(schema);
    // The walker must see nested fields, or the test would pass on an empty list.
    expect(fields.some((f) => f.includes('.'))).toBe(true);
    const documented = documentedFields(heading);
    const shared = sharedFields(heading);
    const covered = (f: string) => documented.includes(f) || shared.some((s) => f.startsWith(`${s}.`));
    expect(fields.filter((f) => !covered(f)), 'fields missing from the document').toEqual([]);
    expect(documented.filter((f) => !fields.includes(f)), 'documented fields the schema does not have').toEqual([]);
  });

  it('names every file the layout writes', () => {
    for (const file of ['manifest.json', 'manifest.json.sig', 'stats.json', 'drills/']) expect(doc).toContain(file);
  });
});
