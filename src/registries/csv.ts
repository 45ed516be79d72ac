// Loads the CSV files behind the simulated registries and the branch list (format fixed
// in API.md: UTF-8, header row, comma-separated; a BOM is tolerated). Every row is
// validated at start; the first bad row stops the load with ONE error that names the
// file, the line and the column, so an operator can fix the file and restart.

import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream';
import { parse } from 'csv-parse';
import type { Result } from '../identity/result.js';
import {
  maskIdentifier,
  parseBranch,
  parseCivilRecord,
  parseInsuranceRecord,
  parseMobileOwnershipRow,
  type FieldProblem,
  type MobileOwnershipRow,
} from './fields.js';
import type { Branch, CivilRecord, InsuranceRecord } from './types.js';

/** The header of each file, exactly as API.md fixes it (the order of columns may differ). */
export const CSV_COLUMNS = {
  civilRegistry: [
    'nationalCode',
    'firstName',
    'lastName',
    'birthDate',
    'gender',
    'birthCertificateNumber',
    'birthCertificateSerial',
    'birthCertificateSeries',
    'alive',
  ],
  mobileOwnership: ['nationalCode', 'mobile', 'requiresBranchVisit'],
  insuranceRecords: ['nationalCode', 'foreignNationalId', 'insuranceNumber', 'branchCode', 'insuranceGroup'],
  branches: ['code', 'name', 'province', 'city'],
} as const satisfies Record<string, readonly string[]>;

/** A registry data file is unusable. `line` and `column` are 1-based; `column` is absent for file-level problems. */
export class RegistryDataError extends Error {
  override readonly name = 'RegistryDataError';
  constructor(
    readonly file: string,
    readonly line: number | null,
    readonly column: { index: number; name: string } | null,
    readonly problem: string,
  ) {
    const where = [
      line === null ? null : `line ${line}`,
      column === null ? null : `column ${column.index} (${column.name})`,
    ].filter((part) => part !== null);
    super(`Invalid registry data in ${file}${where.length > 0 ? `, ${where.join(', ')}` : ''}: ${problem}`);
  }
}

type ParseRow<T> = (row: Readonly<Record<string, string>>) => Result<T, FieldProblem>;

/** A validated row and the line it came from (for duplicate messages). */
export type Located<T> = { line: number; value: T };

/**
 * Streams `file`, checks the header against `columns` and parses every row with
 * `parseRow`. Throws RegistryDataError on the first problem.
 */
export async function readCsv<T>(
  file: string,
  columns: readonly string[],
  parseRow: ParseRow<T>,
  /** Columns a file may add after the fixed ones (e.g. the branches' `nameEn`). */
  optionalColumns: readonly string[] = [],
): Promise<{ header: string[]; rows: Located<T>[] }> {
  const parser = parse({ bom: true, info: true, relax_column_count: true, skip_empty_lines: true });
  // pipeline (unlike pipe) passes a read error such as ENOENT on to the parser, whose
  // iteration below then throws it; the callback has nothing left to do.
  pipeline(createReadStream(file), parser, () => {});
  const rows: Located<T>[] = [];
  let header: string[] | null = null;
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      const line = info.lines;
      if (header === null) {
        header = record.map((name) => name.trim());
        checkHeader(file, line, header, columns, optionalColumns);
        continue;
      }
      if (record.length !== header.length) {
        throw new RegistryDataError(file, line, null, `expected ${header.length} fields, found ${record.length}`);
      }
      const row: Record<string, string> = {};
      header.forEach((name, index) => {
        row[name] = record[index] ?? '';
      });
      const parsed = parseRow(row);
      if (!parsed.ok) {
        const index = header.indexOf(parsed.error.column) + 1;
        throw new RegistryDataError(file, line, { index, name: parsed.error.column }, parsed.error.message);
      }
      rows.push({ line, value: parsed.value });
    }
  } catch (error) {
    if (error instanceof RegistryDataError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'EACCES' || code === 'EISDIR') {
      throw new RegistryDataError(file, null, null, `cannot read the file (${code})`);
    }
    // csv-parse's own errors (an unclosed quote, ...) carry the line they stopped at.
    const line = typeof (error as { lines?: unknown }).lines === 'number' ? (error as { lines: number }).lines : null;
    throw new RegistryDataError(file, line, null, (error as Error).message);
  }
  if (header === null) throw new RegistryDataError(file, 1, null, `the file is empty; expected the header ${columns.join(',')}`);
  return { header, rows };
}

function checkHeader(file: string, line: number, header: string[], columns: readonly string[], optional: readonly string[] = []): void {
  for (const [index, name] of header.entries()) {
    if (!columns.includes(name) && !optional.includes(name)) {
      throw new RegistryDataError(file, line, { index: index + 1, name }, `unknown column; the header must be ${columns.join(',')}`);
    }
    if (header.indexOf(name) !== index) {
      throw new RegistryDataError(file, line, { index: index + 1, name }, 'column appears twice');
    }
  }
  const missing = columns.filter((name) => !header.includes(name));
  if (missing.length > 0) {
    throw new RegistryDataError(file, line, null, `missing column(s) ${missing.join(', ')}; the header must be ${columns.join(',')}`);
  }
}

/** Rejects a second row with the same key, naming both lines. */
function rejectDuplicates<T>(
  file: string,
  { header, rows }: { header: string[]; rows: Located<T>[] },
  column: string,
  key: (value: T) => string | null,
  describe: (key: string) => string,
): void {
  const seen = new Map<string, number>();
  for (const { line, value } of rows) {
    const k = key(value);
    if (k === null) continue;
    const first = seen.get(k);
    if (first !== undefined) {
      throw new RegistryDataError(
        file,
        line,
        { index: header.indexOf(column) + 1, name: column },
        `${describe(k)} already appears on line ${first}`,
      );
    }
    seen.set(k, line);
  }
}

// ---------------------------------------------------------------- the four files

export type CsvLoadOptions = {
  /** "Today" for date checks (no birth date in the future). Default: now. */
  today?: Date;
};

export async function loadCivilRegistryCsv(file: string, options: CsvLoadOptions = {}): Promise<CivilRecord[]> {
  const today = options.today ?? new Date();
  const loaded = await readCsv(file, CSV_COLUMNS.civilRegistry, (row) => parseCivilRecord(row, today));
  rejectDuplicates(file, loaded, 'nationalCode', (r) => r.nationalCode, (k) => `national code ${maskIdentifier(k)}`);
  return loaded.rows.map((r) => r.value);
}

export async function loadMobileOwnershipCsv(file: string): Promise<MobileOwnershipRow[]> {
  const loaded = await readCsv(file, CSV_COLUMNS.mobileOwnership, parseMobileOwnershipRow);
  // A number belongs to one person; a person may own several numbers.
  rejectDuplicates(file, loaded, 'mobile', (r) => r.mobile, (k) => `mobile ${maskIdentifier(k)}`);
  return loaded.rows.map((r) => r.value);
}

export async function loadInsuranceRecordsCsv(file: string): Promise<InsuranceRecord[]> {
  const loaded = await readCsv(file, CSV_COLUMNS.insuranceRecords, parseInsuranceRecord);
  // An insurance number is personal: it names one record of one person.
  rejectDuplicates(file, loaded, 'insuranceNumber', (r) => r.insuranceNumber, (k) => `insurance number ${k}`);
  return loaded.rows.map((r) => r.value);
}

/** Branches are local data: the CLI imports them into the database; this only parses and validates. */
export async function loadBranchesCsv(file: string): Promise<Branch[]> {
  const loaded = await readCsv(file, CSV_COLUMNS.branches, parseBranch, ['nameEn']);
  rejectDuplicates(file, loaded, 'code', (r) => r.code, (k) => `branch code ${k}`);
  return loaded.rows.map((r) => r.value);
}
