// Bundles each action's compiled entry (actions/<name>/lib/index.js) into actions/<name>/dist
// with @vercel/ncc, two at a time. With --out DIR, writes DIR/<name>/ instead (the dist check
// compares those). Names given as arguments limit the build to those actions.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const outIndex = args.indexOf('--out');
const outRoot = outIndex >= 0 ? resolve(args[outIndex + 1]) : undefined;
const only = args.filter((a, i) => !a.startsWith('--') && i !== outIndex + 1);

const actions = readdirSync(join(root, 'actions'))
  .filter((name) => existsSync(join(root, 'actions', name, 'action.yml')))
  .filter((name) => only.length === 0 || only.includes(name));
const ncc = join(root, 'node_modules', '@vercel', 'ncc', 'dist', 'ncc', 'cli.js');

for (const name of actions) {
  if (!existsSync(join(root, 'actions', name, 'lib', 'index.js'))) {
    console.error(`actions/${name}/lib/index.js is missing: run \`npm run build:ts\` first.`);
    process.exit(1);
  }
}

function bundle(name) {
  const entry = join('actions', name, 'lib', 'index.js');
  const out = outRoot ? join(outRoot, name) : join(root, 'actions', name, 'dist');
  rmSync(out, { recursive: true, force: true });
  return new Promise((resolveBuild, reject) => {
    const child = spawn(process.execPath, [ncc, 'build', entry, '-o', out, '--license', 'licenses.txt', '--target', 'es2022', '--quiet'], {
      cwd: root,
      stdio: 'inherit',
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`ncc failed for actions/${name} (exit ${code})`));
      pruneDeclarations(out);
      console.log(`bundled actions/${name}`);
      resolveBuild();
    });
  });
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

const queue = [...actions];
const workers = Array.from({ length: Math.min(2, availableParallelism(), queue.length) }, async () => {
  while (queue.length > 0) await bundle(queue.shift());
});
try {
  await Promise.all(workers);
} catch (error) {
  console.error(error.message);
  process.exit(1);
}
