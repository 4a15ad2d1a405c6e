// Worker modules that an element starts with `new URL('./<file>', import.meta.url)`: rollup leaves that URL as
// written, so the file must sit beside whichever bundle file the code ends up in (the entry, or a chunk under
// chunks/). Emits each worker (tsc's output, self-contained, no imports) at both places. A separate file rather
// than a Blob URL, so a strict CSP (`worker-src 'self'`) allows it.
import { readFileSync, existsSync } from 'node:fs';

export function workerFiles(files) {
  return {
    name: 'tiepdan-worker-files',
    generateBundle() {
      for (const [name, path] of Object.entries(files)) {
        if (!existsSync(path)) continue;
        const source = readFileSync(path, 'utf8');
        this.emitFile({ type: 'asset', fileName: name, source });
        this.emitFile({ type: 'asset', fileName: `chunks/${name}`, source });
      }
    },
  };
}
