/**
 * The National Database on citizen reception (Decree 55/2022/NĐ-CP) is updated on acceptance; its API is not
 * public, so tiepdan ships the seam: an exporter interface, a documented JSON shape (docs/desk.md, "National Database export",
 * `tiepdan-national-export/1`) and a file drop that writes it where a province's connector picks it up.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { NATIONAL_FORMAT, type NationalExport, type RegisterEntry } from '@tiepdan/core';

export { NATIONAL_FORMAT, type NationalExport } from '@tiepdan/core';

export function nationalExport(unit: string | null, entries: RegisterEntry[], at = new Date()): NationalExport {
  return { format: NATIONAL_FORMAT, unit, exportedAt: at.toISOString(), cases: entries.map((e) => ({ ...e, registerNumber: Number(e.number) })) };
}

/** Delivers an export to the national database (a province's adapter implements it when the API is known). */
export interface NationalDatabaseExporter {
  readonly name: string;
  deliver(payload: NationalExport): Promise<{ delivered: number; location: string }>;
}

/** Writes each export as one JSON file, atomically (a connector never reads half a file). */
export class FileDropExporter implements NationalDatabaseExporter {
  readonly name = 'file-drop';
  constructor(private readonly dir: string) {}

  async deliver(payload: NationalExport): Promise<{ delivered: number; location: string }> {
    await mkdir(this.dir, { recursive: true });
    const file = join(this.dir, `${payload.unit ?? 'all'}-${payload.exportedAt.replace(/[:.]/gu, '-')}.json`);
    await writeFile(`${file}.part`, `${JSON.stringify(payload, null, 2)}\n`);
    await rename(`${file}.part`, file);
    return { delivered: payload.cases.length, location: file };
  }
}
