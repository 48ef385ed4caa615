// Bundles each action's compiled entry (actions/<name>/lib/index.js) into actions/<name>/dist
// with @vercel/ncc. With --out DIR, writes DIR/<name>/ instead (the dist check compares those).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const outIndex = args.indexOf('--out');
const outRoot = outIndex >= 0 ? resolve(args[outIndex + 1]) : undefined;
const only = args.filter((a, i) => !a.startsWith('--') && i !== outIndex + 1);

const actions = readdirSync(join(root, 'actions')).filter((name) => existsSync(join(root, 'actions', name, 'action.yml')));
const ncc = join(root, 'node_modules', '@vercel', 'ncc', 'dist', 'ncc', 'cli.js');

for (const name of actions) {
  if (only.length > 0 && !only.includes(name)) continue;
  const entry = join('actions', name, 'lib', 'index.js');
  if (!existsSync(join(root, entry))) {
    console.error(`${entry} is missing: run \`npm run build:ts\` first.`);
    process.exit(1);
  }
  const out = outRoot ? join(outRoot, name) : join(root, 'actions', name, 'dist');
  rmSync(out, { recursive: true, force: true });
  const result = spawnSync(process.execPath, [ncc, 'build', entry, '-o', out, '--license', 'licenses.txt', '--target', 'es2022', '--quiet'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (result.status !== 0) {
    console.error(`ncc failed for actions/${name}`);
    process.exit(result.status ?? 1);
  }
  pruneDeclarations(out);
  console.log(`bundled actions/${name}`);
}

// ncc copies the library's .d.ts files beside the bundle; an action needs only the bundle.
function pruneDeclarations(dir) {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) {
      pruneDeclarations(path);
      if (readdirSync(path).length === 0) rmSync(path, { recursive: true });
    } else if (entry.endsWith('.d.ts')) {
      rmSync(path);
    }
  }
}
