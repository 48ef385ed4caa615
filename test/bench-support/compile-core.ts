/**
 * A plain-JavaScript copy of packages/core/src for benchmark child processes, so a measured
 * backup or drill runs in a Node process of its own (its peak RSS is the library's, not a
 * test runner's) on the current source, without touching the committed `lib/` build.
 *
 * Each file is transpiled on its own with TypeScript's `transpileModule` (the tree is written
 * for isolated modules, `verbatimModuleSyntax`), into a temp folder whose `node_modules` links
 * to the repository's, so the library's dependencies resolve as they do in the build.
 */
import { mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';

export const repoRoot = resolve(import.meta.dirname, '..', '..');

/** A compiled copy of the core library. */
export interface CompiledCore {
  /** Folder holding `index.js` (what scripts/bench/*.mjs take as LIFEBOAT_BENCH_CORE). */
  readonly libDir: string;
  /** file: URL of `index.js`, for `import()`. */
  readonly indexUrl: string;
  /** Removes the copy (nothing when it came from LIFEBOAT_BENCH_CORE). */
  cleanup(): Promise<void>;
}

/**
 * Transpiles packages/core/src into a temp folder; LIFEBOAT_BENCH_CORE (a folder with
 * `index.js`, e.g. packages/core/lib after a build) is used as is instead.
 */
export async function compileCore(env: NodeJS.ProcessEnv = process.env): Promise<CompiledCore> {
  if (env.LIFEBOAT_BENCH_CORE) {
    const libDir = resolve(env.LIFEBOAT_BENCH_CORE);
    return { libDir, indexUrl: pathToFileURL(join(libDir, 'index.js')).href, cleanup: async () => {} };
  }
  const root = await mkdtemp(join(tmpdir(), 'lifeboat-bench-core-'));
  try {
    const srcDir = join(repoRoot, 'packages', 'core', 'src');
    const libDir = join(root, 'lib');
    await writeFile(join(root, 'package.json'), '{ "type": "module" }\n');
    await symlink(join(repoRoot, 'node_modules'), join(root, 'node_modules'), 'dir');
    for (const file of await sourceFiles(srcDir)) {
      const text = await readFile(file, 'utf8');
      const output = ts.transpileModule(text, {
        fileName: file,
        compilerOptions: {
          target: ts.ScriptTarget.ES2022,
          module: ts.ModuleKind.ES2022,
          verbatimModuleSyntax: true,
          sourceMap: false,
        },
        reportDiagnostics: true,
      });
      const problems = (output.diagnostics ?? []).filter((d) => d.category === ts.DiagnosticCategory.Error);
      if (problems.length > 0) {
        throw new Error(`${relative(repoRoot, file)}: ${ts.flattenDiagnosticMessageText(problems[0]!.messageText, '\n')}`);
      }
      const target = join(libDir, relative(srcDir, file)).replace(/\.ts$/, '.js');
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, output.outputText);
    }
    return {
      libDir,
      indexUrl: pathToFileURL(join(libDir, 'index.js')).href,
      cleanup: () => rm(root, { recursive: true, force: true }),
    };
  } catch (error) {
    await rm(root, { recursive: true, force: true });
    throw error;
  }
}

/** Every library source file under `dir` (tests and declaration files left out). */
async function sourceFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await sourceFiles(path)));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') && !entry.name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}
