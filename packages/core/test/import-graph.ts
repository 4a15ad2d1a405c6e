/**
 * Core's import graph, read with TypeScript's own pre-processor so `import type`, `export … from` and side-effect
 * imports all count: the cycle tests (core's, and the components' in test/build) and the entries test (contract
 * apart from browser runtime) walk it.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
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

/** Every cycle among `files` found by a depth-first walk, as "a.ts -> b.ts -> a.ts" (paths under `root`). */
export function cycles(root: string, files: string[], extraEdges: [string, string][] = []): string[] {
  const known = new Set(files);
  const graph = new Map<string, string[]>(files.map((file) => [file, localImports(file, known)]));
  for (const [from, to] of extraEdges) graph.get(from)!.push(to);
  const found: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (file: string) => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of graph.get(file)!) {
      if (state.get(next) === 'open') found.push([...stack.slice(stack.indexOf(next)), next].map((p) => relative(root, p)).join(' -> '));
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of files) if (!state.has(file)) visit(file);
  return found;
}
