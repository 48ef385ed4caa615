// Bundles the `lifeboat` command into packages/cli/dist with @vercel/ncc: one self-contained
// program (the core library and every dependency inside), so the package npm packs installs
// with nothing to resolve and no workspace links. Runs before `npm pack` (the CLI's prepack).
import { spawnSync } from 'node:child_process';
import { readdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'packages', 'cli', 'dist');

function run(args, what) {
  const result = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) {
    console.error(`${what} failed (exit ${result.status ?? result.signal}).`);
    process.exit(1);
  }
}

// The CLI and the core it imports, compiled to lib/.
run([join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-b', join(root, 'packages', 'cli')], 'Compiling the CLI');
rmSync(out, { recursive: true, force: true });
run(
  [join(root, 'node_modules', '@vercel', 'ncc', 'dist', 'ncc', 'cli.js'), 'build', join('packages', 'cli', 'lib', 'index.js'), '-o', out, '--license', 'licenses.txt', '--target', 'es2022', '--quiet'],
  'Bundling the CLI',
);

// ncc copies the library's .d.ts files beside the bundle; the command needs only the bundle.
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
pruneDeclarations(out);
console.log('bundled packages/cli/dist');
