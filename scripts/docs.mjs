// Regenerates every action.yml and the README's option tables from the options schemas.
// With --check, changes nothing and exits 1 when a generated file is out of date.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { allOperations, renderActionYaml, renderOptionsMarkdown, replaceGeneratedSections } from '../packages/core/lib/index.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const check = process.argv.includes('--check');
const stale = [];

function update(path, content) {
  const current = readFileSync(path, 'utf8');
  if (current === content) return;
  stale.push(path);
  if (!check) writeFileSync(path, content);
}

for (const operation of allOperations) {
  if (operation.action) update(join(root, 'actions', operation.action.folder, 'action.yml'), renderActionYaml(operation));
}
const readmePath = join(root, 'README.md');
const sections = Object.fromEntries(allOperations.map((op) => [op.command, renderOptionsMarkdown(op)]));
update(readmePath, replaceGeneratedSections(readFileSync(readmePath, 'utf8'), sections));

if (stale.length > 0) {
  console.log(`${check ? 'out of date' : 'updated'}: ${stale.map((p) => p.slice(root.length + 1)).join(', ')}`);
  if (check) process.exit(1);
} else {
  console.log('generated files are up to date');
}
