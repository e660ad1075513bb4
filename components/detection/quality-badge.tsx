import type { QualityReport } from '@/lib/vision/face-quality';

const TONE = { good: 'ok', usable: 'warn', poor: 'danger' } as const;

export function QualityBadge({ quality }: { quality: Pick<QualityReport, 'verdict' | 'reasons'> }) {
  const title = quality.reasons.map((reason) => reason.message).join('\n') || 'No quality concerns';
  return (
    <span className={`badge ${TONE[quality.verdict]}`} title={title} data-testid="quality-badge">
      {quality.verdict}
    </span>
  );
}
