import { describe, expect, it } from 'vitest';
import { CsvInputError, parseLabelledCsv } from '@/scripts/support/read-csv';

const parse = (text: string) => parseLabelledCsv(text, 'gallery.csv');

function failure(text: string): CsvInputError {
  try {
    parse(text);
  } catch (error) {
    expect(error).toBeInstanceOf(CsvInputError);
    return error as CsvInputError;
  }
  throw new Error('the CSV was accepted');
}

describe('parseLabelledCsv (csv-parse)', () => {
  it('reads quoted fields: commas, doubled quotes and a line break inside quotes', () => {
    expect(parse('"a, b.jpg","O\'Neil ""Jr"""\n"two\nlines.jpg",S-2\n')).toEqual([
      { path: 'a, b.jpg', subject: 'O\'Neil "Jr"' },
      { path: 'two\nlines.jpg', subject: 'S-2' },
    ]);
  });

  it('reads \\r\\n and \\n line endings mixed in one file, and skips blank lines', () => {
    expect(parse('a.jpg,A\r\nb.jpg,B\n\r\nc.jpg,C\r\n\nd.jpg,D')).toEqual([
      { path: 'a.jpg', subject: 'A' },
      { path: 'b.jpg', subject: 'B' },
      { path: 'c.jpg', subject: 'C' },
      { path: 'd.jpg', subject: 'D' },
    ]);
  });

  it('ignores a byte-order mark, also in front of a header', () => {
    expect(parse('\uFEFFa.jpg,A\n')).toEqual([{ path: 'a.jpg', subject: 'A' }]);
    expect(parse('\uFEFFpath,subject\r\na.jpg,A\r\n')).toEqual([{ path: 'a.jpg', subject: 'A' }]);
  });

  it('takes an optional header, in either column order', () => {
    expect(parse('Path,Subject\na.jpg,A\n')).toEqual([{ path: 'a.jpg', subject: 'A' }]);
    expect(parse('subject,path\nA,a.jpg\n')).toEqual([{ path: 'a.jpg', subject: 'A' }]);
    // Only the first line can be a header: later it is an ordinary row.
    expect(parse('a.jpg,A\npath,subject\n')).toEqual([
      { path: 'a.jpg', subject: 'A' },
      { path: 'path', subject: 'subject' },
    ]);
  });

  it('says which line lacks the subject column, or has too many', () => {
    const missing = failure('a.jpg,A\r\nb.jpg,B\nc.jpg\n');
    expect(missing.line).toBe(3);
    expect(missing.message).toBe('gallery.csv:3: expected 2 fields (path,subject), found 1: is the subject column missing?');
    expect(failure('path,subject\na.jpg,A,extra\n').message).toBe('gallery.csv:2: expected 2 fields (path,subject), found 3');
    expect(failure('a.jpg,\n').message).toBe('gallery.csv:1: the subject is empty');
    expect(failure('a.jpg,A\n ,B\n').message).toBe('gallery.csv:2: the path is empty');
  });

  it('reports a broken quote with the line it starts on', () => {
    const broken = failure('a.jpg,A\n"b.jpg,B\nc.jpg,C\n');
    expect(broken.message).toMatch(/^gallery\.csv(:\d+)?: .*quote/i);
  });
});
