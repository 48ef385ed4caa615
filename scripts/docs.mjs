// Regenerates every action.yml and the option tables in the README, the actions' READMEs and docs/ from the options schemas.
// With --check, changes nothing and exits 1 when a generated file is out of date.
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
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
const sections = Object.fromEntries(allOperations.map((op) => [op.command, renderOptionsMarkdown(op)]));
// Every Markdown file may hold generated option tables: the README, each action's README, docs/.
const markdown = [
  join(root, 'README.md'),
  ...readdirSync(join(root, 'actions')).map((folder) => join(root, 'actions', folder, 'README.md')).filter((path) => existsSync(path)),
  ...readdirSync(join(root, 'docs')).filter((file) => file.endsWith('.md')).map((file) => join(root, 'docs', file)),
];
for (const path of markdown) update(path, replaceGeneratedSections(readFileSync(path, 'utf8'), sections));

if (stale.length > 0) {
  console.log(`${check ? 'out of date' : 'updated'}: ${stale.map((p) => p.slice(root.length + 1)).join(', ')}`);
  if (check) process.exit(1);
} else {
  console.log('generated files are up to date');
}
