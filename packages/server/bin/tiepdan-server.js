#!/usr/bin/env node
// The `tiepdan-server` command. Committed (not built) so that `npm install` can link it before anything is
// built; it runs the compiled CLI, or says how to build it.
import { access } from 'node:fs/promises';

const cli = new URL('../dist/cli.js', import.meta.url);
try {
  await access(cli);
} catch {
  process.stderr.write(
    'tiepdan-server is not built yet. Run `npm run build` at the root of the tiepdan repository (or `npm start`, which builds), then try again.\n' +
      'tiepdan-server chưa được biên dịch. Hãy chạy `npm run build` ở thư mục gốc của kho tiepdan rồi thử lại.\n',
  );
  process.exit(1);
}
await import(cli.href);
