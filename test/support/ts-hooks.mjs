// Module hooks that let a plain `node` child process run the TypeScript sources, the CLI
// included: `@lifeboat/core` (and `/action`) resolves to the library's sources, `.js` specifiers to the
// `.ts` files beside them (TypeScript's own transpiler, no type checks).
import { readFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';

const source = (file) => pathToFileURL(fileURLToPath(new URL(`../../packages/core/src/${file}`, import.meta.url))).href;
const entries = { '@lifeboat/core': source('index.ts'), '@lifeboat/core/action': source('action.ts') };

export async function resolve(specifier, context, next) {
  if (Object.hasOwn(entries, specifier)) return { url: entries[specifier], shortCircuit: true };
  try {
    return await next(specifier, context);
  } catch (error) {
    if (/^(\.|\/|file:)/.test(specifier) && specifier.endsWith('.js')) return next(`${specifier.slice(0, -3)}.ts`, context);
    throw error;
  }
}

export async function load(url, context, next) {
  if (!url.endsWith('.ts')) return next(url, context);
  const fileName = fileURLToPath(url);
  const { outputText } = ts.transpileModule(await readFile(fileName, 'utf8'), {
    fileName,
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
  });
  return { format: 'module', source: outputText, shortCircuit: true };
}
