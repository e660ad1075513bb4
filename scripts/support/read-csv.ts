import { readFile } from 'node:fs/promises';
import { CsvError, parse } from 'csv-parse/sync';

/** `condition` is the optional third column (the degraded evaluation protocol's kind of degradation). */
export type LabelledPath = { path: string; subject: string; condition?: string };

/** Where a CSV is wrong, with the file and line, for a message that says what to fix. */
export class CsvInputError extends Error {
  constructor(
    readonly file: string,
    readonly line: number | null,
    detail: string,
  ) {
    super(`${file}${line === null ? '' : `:${line}`}: ${detail}`);
    this.name = 'CsvInputError';
  }
}

type Located = { record: string[]; info: { lines: number } };

/**
 * `path,subject` lines, parsed by csv-parse (RFC 4180 quoting, quoted commas, doubled quotes and line
 * breaks inside quotes), with or without a byte-order mark, `\r\n` and `\n` endings mixed in one file
 * (spreadsheets write one, scripts appending to them the other). An optional first line naming the
 * columns, `path,subject` or `subject,path`, is taken as a header. Blank lines are skipped; every other
 * line needs exactly the two fields, both non-empty.
 */
export function parseLabelledCsv(text: string, file: string): LabelledPath[] {
  let located: Located[];
  try {
    located = parse(text, {
      bom: true,
      record_delimiter: ['\r\n', '\n'],
      skip_empty_lines: true,
      relax_column_count: true,
      info: true,
    }) as unknown as Located[];
  } catch (error) {
    if (error instanceof CsvError) throw new CsvInputError(file, (error as CsvError & { lines?: number }).lines ?? null, error.message);
    throw error;
  }
  let pathColumn = 0;
  let subjectColumn = 1;
  let conditionColumn = -1;
  const header = located[0]?.record.map((field) => field.trim().toLowerCase());
  const isHeader = header !== undefined && (header.length === 2 || (header.length === 3 && header.includes('condition'))) && header.includes('path') && header.includes('subject');
  if (isHeader) {
    pathColumn = header.indexOf('path');
    subjectColumn = header.indexOf('subject');
    conditionColumn = header.indexOf('condition');
  }
  const width = conditionColumn >= 0 ? 3 : 2;
  const rows: LabelledPath[] = [];
  for (const { record, info } of located.slice(isHeader ? 1 : 0)) {
    // A line of nothing but spaces (or a lone comma run) is still blank to a reader.
    if (record.every((field) => field.trim() === '')) continue;
    if (record.length !== width) {
      const expected = width === 3 ? '3 fields (path,subject,condition)' : '2 fields (path,subject)';
      throw new CsvInputError(file, info.lines, `expected ${expected}, found ${record.length}${record.length === 1 ? ': is the subject column missing?' : ''}`);
    }
    const path = record[pathColumn]!.trim();
    const subject = record[subjectColumn]!.trim();
    if (!path) throw new CsvInputError(file, info.lines, 'the path is empty');
    if (!subject) throw new CsvInputError(file, info.lines, 'the subject is empty');
    const condition = conditionColumn >= 0 ? record[conditionColumn]!.trim() : '';
    rows.push(condition ? { path, subject, condition } : { path, subject });
  }
  return rows;
}

export async function readLabelledCsv(file: string): Promise<LabelledPath[]> {
  return parseLabelledCsv(await readFile(file, 'utf8'), file);
}
