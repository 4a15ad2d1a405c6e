/**
 * Core's import graph, read with TypeScript's own pre-processor so `import type`, `export … from` and side-effect
 * imports all count: the cycle test and the entries test (contract apart from browser runtime) both walk it.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../src');

export function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return path.endsWith('.ts') && !path.endsWith('.d.ts') ? [path] : [];
  });
}

/** Every specifier a file imports or re-exports, as written. */
export function specifiers(file: string): string[] {
  return ts.preProcessFile(readFileSync(file, 'utf8'), true, true).importedFiles.map((i) => i.fileName);
}

/** The file's relative imports, resolved to source paths among `known`. */
export function localImports(file: string, known: Set<string>): string[] {
  return specifiers(file)
    .filter((name) => name.startsWith('.'))
    .map((name) => resolve(dirname(file), name.replace(/\.js$/u, '.ts')))
    .filter((path) => known.has(path));
}
