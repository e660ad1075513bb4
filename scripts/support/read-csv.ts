import { readFile } from 'node:fs/promises';

/** `condition` is the optional third column (the degraded protocol's kind of degradation). */
export type LabelledPath = { path: string; subject: string; condition?: string };

/** `path,subject[,condition]` lines; RFC 4180 quoting; a first line reading `path,subject` is taken as a header. */
export async function readLabelledCsv(file: string): Promise<LabelledPath[]> {
  const text = (await readFile(file, 'utf8')).replace(/^\uFEFF/, '');
  const rows: LabelledPath[] = [];
  for (const [index, line] of text.split(/\r?\n/).entries()) {
    if (line.trim() === '') continue;
    const fields = splitCsvLine(line);
    if (fields.length < 2) throw new Error(`${file}:${index + 1}: expected path,subject`);
    const [path, subject, condition] = fields as [string, string, string | undefined];
    if (index === 0 && path.toLowerCase() === 'path' && subject.toLowerCase() === 'subject') continue;
    rows.push(condition ? { path, subject, condition } : { path, subject });
  }
  return rows;
}

export function splitCsvLine(line: string): string[] {
  const fields: string[] = [];
  let current = '';
  let isQuoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (isQuoted) {
      if (ch === '"' && line[i + 1] === '"') {
        current += '"';
        i++;
      } else if (ch === '"') isQuoted = false;
      else current += ch;
    } else if (ch === '"') isQuoted = true;
    else if (ch === ',') {
      fields.push(current);
      current = '';
    } else current += ch;
  }
  fields.push(current);
  return fields;
}
