import { buildPackOutline, type PackBlock, type PackFact } from '@/lib/shared/review/pack-outline';
import type { PackContent } from '@/lib/shared/review/whole-story-view';

// The disclosure pack as a printable page: the same outline the PDF is drawn from, so both say the
// same thing. Print styles drop the navigation and keep faces with their facts.

const PRINT_CSS = `
.pack-document { max-width: 48rem; background: #fff; padding: 1.5rem 2rem; border: 1px solid var(--line); }
.pack-document h1 { margin-bottom: 0.2rem; }
.pack-document h2 { border-bottom: 1px solid var(--line); padding-bottom: 0.2rem; break-after: avoid; }
.pack-document dl.facts { grid-template-columns: 11rem 1fr; font-size: 0.9rem; }
.pack-notice { background: #fff8e6; border: 1px solid #e2b85a; color: #5a3d00; font-weight: 700; padding: 0.6rem 0.8rem; border-radius: 4px; }
.pack-face { display: grid; grid-template-columns: 7.5rem 1fr; gap: 1rem; margin: 0.8rem 0; break-inside: avoid; }
.pack-face img { width: 7rem; height: 7rem; object-fit: cover; border: 1px solid var(--line); background: #eee; }
.pack-audit { font-size: 0.78rem; }
.pack-audit .mono { font-size: 0.7rem; color: var(--muted); word-break: break-all; }
.pack-document .mono { word-break: break-all; }
@media print {
  @page { size: A4; margin: 16mm; }
  body { background: #fff; }
  .shell { display: block; }
  .shell-nav, .pack-screen-only { display: none !important; }
  .shell-main { padding: 0; max-width: none; }
  .pack-document { border: 0; padding: 0; max-width: none; }
  .pack-document table { font-size: 0.75rem; }
  tr, .pack-audit li { break-inside: avoid; }
}
`;

function Facts({ facts }: { facts: PackFact[] }) {
  return (
    <dl className="facts">
      {facts.map((fact, index) => (
        <div key={`${fact.label}-${index}`} style={{ display: 'contents' }}>
          <dt>{fact.label}</dt>
          <dd className={fact.isMono ? 'mono' : undefined}>{fact.value || '—'}</dd>
        </div>
      ))}
    </dl>
  );
}

function Block({ block, content }: { block: PackBlock; content: PackContent }) {
  switch (block.kind) {
    case 'title':
      return (
        <header>
          <h1>{block.text}</h1>
          <p className="muted">{block.subtitle}</p>
        </header>
      );
    case 'notice':
      return (
        <p className="pack-notice" role="note">
          {block.text}
        </p>
      );
    case 'heading':
      return <h2>{block.text}</h2>;
    case 'paragraph':
      return <p>{block.text}</p>;
    case 'facts':
      return <Facts facts={block.facts} />;
    case 'face': {
      const src = block.face === 'probe' ? content.story.probeFace.cropUrl : `/api/crops/candidate/${block.face}`;
      return (
        <section className="pack-face" aria-label={block.title}>
          {/* eslint-disable-next-line @next/next/no-img-element -- authorised route, never optimised or cached */}
          <img src={src} alt={block.title} />
          <div>
            <h3 style={{ margin: '0 0 0.4rem' }}>{block.title}</h3>
            <Facts facts={block.facts} />
          </div>
        </section>
      );
    }
    case 'table':
      return (
        <table>
          <thead>
            <tr>
              {block.columns.map((column) => (
                <th key={column}>{column}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {block.rows.map((row, index) => (
              <tr key={index}>
                {row.map((cell, column) => (
                  <td key={column}>{cell || '—'}</td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      );
    case 'audit':
      return (
        <ol className="pack-audit" style={{ listStyle: 'none', padding: 0 }} data-testid="pack-audit">
          {block.events.map((event) => (
            <li key={event.hash} style={{ marginBottom: '0.3rem', whiteSpace: 'pre-wrap' }}>
              {event.line}
              <div className="mono">{event.hash}</div>
            </li>
          ))}
        </ol>
      );
  }
}

export function PackDocument({ content }: { content: PackContent }) {
  return (
    <article className="pack-document" data-testid="pack-document">
      <style>{PRINT_CSS}</style>
      {buildPackOutline(content).map((block, index) => (
        <Block key={index} block={block} content={content} />
      ))}
    </article>
  );
}
