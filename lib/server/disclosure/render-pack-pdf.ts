import 'server-only';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import PDFDocument from 'pdfkit';
import { buildPackOutline, formatUtc, type PackBlock, type PackFact } from '@/lib/shared/review/pack-outline';
import type { PackContent } from '@/lib/shared/review/whole-story-view';
import type { PackImages } from './pack-content';

// The pack as a PDF, drawn with pdfkit from the same outline as the printable page. The 14 standard
// PDF fonts cover WinAnsi only and would silently garble names such as "Łukasz" or Cyrillic or Greek
// ones, so every character is set in DejaVu (TrueType, embedded as a subset); nothing falls back.

const FONT_DIRS = [join(process.cwd(), 'node_modules', 'dejavu-fonts-ttf', 'ttf'), '/usr/share/fonts/truetype/dejavu'];

function fontPath(file: string): string {
  const found = FONT_DIRS.map((dir) => join(dir, file)).find((path) => existsSync(path));
  if (!found) throw new Error(`The DejaVu font ${file} is missing (npm package dejavu-fonts-ttf): a pack cannot be set without it.`);
  return found;
}

const PAGE = { margin: 50, width: 595.28, height: 841.89 };
const CONTENT_WIDTH = PAGE.width - 2 * PAGE.margin;
const LABEL_WIDTH = 120;
const GAP = 10;
const INK = '#1b1f24';
const MUTED = '#5b6470';
const RULE = '#c9ced6';

type Doc = InstanceType<typeof PDFDocument>;

/** Renders the pack. Deterministic in content, not in bytes: pdfkit names font subsets at random. */
export async function renderPackPdf(content: PackContent, images: PackImages): Promise<Buffer> {
  const doc: Doc = new PDFDocument({
    size: 'A4',
    margins: { top: PAGE.margin, bottom: PAGE.margin + 14, left: PAGE.margin, right: PAGE.margin },
    bufferPages: true,
    // The default font would load Helvetica first; the body font is registered before any text.
    font: fontPath('DejaVuSans.ttf'),
    lang: 'en-GB',
    displayTitle: true,
    info: {
      Title: `Disclosure pack, case ${content.story.case.reference}`,
      Subject: `Disclosure ${content.disclosure.id}`,
      Author: 'RFR Workstation',
      Creator: 'RFR Workstation',
      CreationDate: content.generatedAt,
    },
  });
  doc.registerFont('body', fontPath('DejaVuSans.ttf'));
  doc.registerFont('bold', fontPath('DejaVuSans-Bold.ttf'));
  doc.registerFont('mono', fontPath('DejaVuSansMono.ttf'));
  const chunks: Buffer[] = [];
  doc.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise<void>((resolve, reject) => {
    doc.on('end', resolve);
    doc.on('error', reject);
  });

  for (const block of buildPackOutline(content)) drawBlock(doc, block, images);
  drawFooters(doc, content);
  doc.end();
  await ended;
  return Buffer.concat(chunks);
}

const bottom = (doc: Doc) => doc.page.height - doc.page.margins.bottom;

/** Starts a new page when `height` will not fit below the cursor. */
function ensureSpace(doc: Doc, height: number) {
  if (doc.y + height > bottom(doc)) doc.addPage();
}

function drawBlock(doc: Doc, block: PackBlock, images: PackImages) {
  const x = PAGE.margin;
  switch (block.kind) {
    case 'title': {
      doc.font('bold').fontSize(20).fillColor(INK).text(block.text, x, doc.y, { width: CONTENT_WIDTH });
      doc.font('body').fontSize(9).fillColor(MUTED).text(block.subtitle, { width: CONTENT_WIDTH });
      doc.moveDown(0.6);
      return;
    }
    case 'notice': {
      doc.font('bold').fontSize(10);
      const height = doc.heightOfString(block.text, { width: CONTENT_WIDTH - 20 }) + 16;
      ensureSpace(doc, height);
      const top = doc.y;
      doc.save().roundedRect(x, top, CONTENT_WIDTH, height, 4).fillAndStroke('#fff8e6', '#e2b85a').restore();
      doc.fillColor('#5a3d00').text(block.text, x + 10, top + 8, { width: CONTENT_WIDTH - 20 });
      doc.x = x;
      doc.y = top + height + 8;
      return;
    }
    case 'heading': {
      ensureSpace(doc, 48);
      doc.moveDown(0.5);
      doc.font('bold').fontSize(13).fillColor(INK).text(block.text, x, doc.y, { width: CONTENT_WIDTH });
      const y = doc.y + 2;
      doc.save().moveTo(x, y).lineTo(x + CONTENT_WIDTH, y).lineWidth(0.6).strokeColor(RULE).stroke().restore();
      doc.y = y + 6;
      return;
    }
    case 'paragraph': {
      doc.font('body').fontSize(9).fillColor(INK);
      ensureSpace(doc, doc.heightOfString(block.text, { width: CONTENT_WIDTH }));
      doc.text(block.text, x, doc.y, { width: CONTENT_WIDTH });
      doc.moveDown(0.4);
      return;
    }
    case 'facts':
      drawFacts(doc, block.facts, x, CONTENT_WIDTH);
      return;
    case 'face': {
      const side = block.face === 'probe' ? 110 : 84;
      const image = block.face === 'probe' ? images.probe : (images.candidates.get(block.face) ?? null);
      doc.font('bold').fontSize(10.5);
      ensureSpace(doc, Math.min(side + 24, 200));
      const top = doc.y;
      doc.fillColor(INK).text(block.title, x, top, { width: CONTENT_WIDTH });
      const imageTop = doc.y + 4;
      if (image) {
        try {
          doc.image(image, x, imageTop, { fit: [side, side], align: 'center', valign: 'center' });
        } catch {
          missingImage(doc, x, imageTop, side, 'crop unreadable');
        }
      } else {
        missingImage(doc, x, imageTop, side, 'crop not held');
      }
      doc.save().rect(x, imageTop, side, side).lineWidth(0.5).strokeColor(RULE).stroke().restore();
      doc.y = imageTop;
      const page = doc.page;
      drawFacts(doc, block.facts, x + side + GAP, CONTENT_WIDTH - side - GAP, 95);
      doc.x = x;
      doc.y = (doc.page === page ? Math.max(doc.y, imageTop + side) : doc.y) + 10;
      return;
    }
    case 'table':
      drawTable(doc, block.columns, block.rows, block.widths);
      return;
    case 'audit': {
      for (const event of block.events) {
        doc.font('body').fontSize(7.5);
        const lineHeight = doc.heightOfString(event.line, { width: CONTENT_WIDTH });
        ensureSpace(doc, lineHeight + 11);
        doc.fillColor(INK).text(event.line, x, doc.y, { width: CONTENT_WIDTH });
        doc.font('mono').fontSize(6.5).fillColor(MUTED).text(event.hash, x + 12, doc.y, { width: CONTENT_WIDTH - 12 });
        doc.y += 2.5;
      }
      doc.x = x;
      return;
    }
  }
}

function missingImage(doc: Doc, x: number, y: number, side: number, words: string) {
  doc.save().rect(x, y, side, side).fill('#eef0f3').restore();
  doc.font('body').fontSize(7).fillColor(MUTED).text(words, x, y + side / 2 - 4, { width: side, align: 'center' });
}

/** Label and value side by side; a long value wraps, and a row that does not fit starts a new page. */
function drawFacts(doc: Doc, facts: PackFact[], x: number, width: number, labelWidth = LABEL_WIDTH) {
  const valueWidth = width - labelWidth - 8;
  for (const fact of facts) {
    const value = fact.value || '—';
    doc.font('body').fontSize(8);
    const labelHeight = doc.heightOfString(fact.label, { width: labelWidth });
    setValueFont(doc, fact);
    const valueHeight = doc.heightOfString(value, { width: valueWidth });
    const height = Math.max(labelHeight, valueHeight);
    if (height < bottom(doc) - doc.page.margins.top) ensureSpace(doc, height);
    const top = doc.y;
    const page = doc.page;
    doc.font('body').fontSize(8).fillColor(MUTED).text(fact.label, x, top, { width: labelWidth });
    setValueFont(doc, fact);
    doc.fillColor(INK).text(value, x + labelWidth + 8, top, { width: valueWidth });
    // A value longer than the page flows onto the next one; the cursor is then wherever it ended.
    if (doc.page === page) doc.y = Math.max(doc.y, top + labelHeight);
    doc.y += 3;
  }
  doc.x = PAGE.margin;
}

function setValueFont(doc: Doc, fact: PackFact) {
  // 64 hex digits fit on one line beside a face at this size, so a hash is never broken.
  if (fact.isMono) doc.font('mono').fontSize(6.5);
  else doc.font('body').fontSize(9);
}

function drawTable(doc: Doc, columns: string[], rows: string[][], widths: number[]) {
  const x = PAGE.margin;
  const cellWidths = widths.map((share) => share * CONTENT_WIDTH);
  const drawRow = (cells: string[], isHeader: boolean) => {
    doc.font(isHeader ? 'bold' : 'body').fontSize(isHeader ? 7.5 : 8);
    const height = Math.max(...cells.map((cell, index) => doc.heightOfString(cell || '—', { width: cellWidths[index]! - 6 }))) + 6;
    ensureSpace(doc, height);
    const top = doc.y;
    let left = x;
    cells.forEach((cell, index) => {
      doc.fillColor(isHeader ? MUTED : INK).text(cell || '—', left + 3, top + 3, { width: cellWidths[index]! - 6 });
      left += cellWidths[index]!;
    });
    doc.save().moveTo(x, top + height).lineTo(x + CONTENT_WIDTH, top + height).lineWidth(0.4).strokeColor(RULE).stroke().restore();
    doc.y = top + height;
  };
  drawRow(columns, true);
  for (const row of rows) drawRow(row, false);
  doc.x = x;
  doc.moveDown(0.5);
}

function drawFooters(doc: Doc, content: PackContent) {
  const range = doc.bufferedPageRange();
  for (let index = range.start; index < range.start + range.count; index += 1) {
    doc.switchToPage(index);
    // Writing inside the bottom margin would make pdfkit start a new page: lift the margin for the footer.
    const margin = doc.page.margins.bottom;
    doc.page.margins.bottom = 0;
    doc
      .font('body')
      .fontSize(7)
      .fillColor(MUTED)
      .text(
        `Disclosure pack · case ${content.story.case.reference} · disclosure ${content.disclosure.id} · ${formatUtc(content.generatedAt)} · page ${index + 1} of ${range.count}`,
        PAGE.margin,
        PAGE.height - PAGE.margin + 6,
        { width: CONTENT_WIDTH, align: 'center', lineBreak: false },
      );
    doc.page.margins.bottom = margin;
  }
}
