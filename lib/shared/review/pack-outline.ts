import type { CommittedDecisionView } from './bench-view';
import { FINDING_LABELS, FISWG_COMPONENTS, type ComponentFinding } from './fiswg-components';
import { REVIEW_STATE_LABELS } from './review-outcome';
import { LEAD_NOT_IDENTIFICATION, type PackContent, type StoryCandidate, type StoryDisclosure } from './whole-story-view';
import { DECISION_LABELS } from '@/lib/shared/schemas/review';

// The disclosure pack as an outline of blocks, written once and drawn twice: by the PDF renderer
// (pdfkit, on the server) and by the printable HTML page. Both therefore say exactly the same thing.

export type PackFact = { label: string; value: string; isMono?: boolean };
export type PackBlock =
  | { kind: 'title'; text: string; subtitle: string }
  | { kind: 'notice'; text: string }
  | { kind: 'heading'; text: string }
  | { kind: 'paragraph'; text: string }
  | { kind: 'facts'; facts: PackFact[] }
  /** A face beside its facts: `face` is 'probe' or a candidate id. */
  | { kind: 'face'; face: string; title: string; facts: PackFact[] }
  | { kind: 'table'; columns: string[]; rows: string[][]; widths: number[] }
  | { kind: 'audit'; events: { line: string; hash: string }[] };

/** Dates in a pack are UTC and to the second, the same in every reader's time zone. */
export function formatUtc(date: Date | null | undefined): string {
  return date ? `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC` : '—';
}

const STATUS_WORDS: Record<StoryDisclosure['status'], string> = { pending: 'Pending', approved: 'Approved', refused: 'Refused' };

function describeDecision(view: CommittedDecisionView, isSuperseded: boolean): string {
  const findings = FISWG_COMPONENTS.filter((component) => view.checklist[component.id])
    .map((component) => `${component.label}: ${FINDING_LABELS[view.checklist[component.id] as ComponentFinding].toLowerCase()}`)
    .join('; ');
  return [
    `${isSuperseded ? 'Superseded: ' : ''}${DECISION_LABELS[view.decision]} — ${view.reviewerName}, ${formatUtc(new Date(view.createdAt))}`,
    view.correctionReason ? `Correction, because: ${view.correctionReason}` : null,
    view.rationale ? `Rationale: ${view.rationale}` : null,
    findings ? `Checklist: ${findings}` : null,
  ]
    .filter(Boolean)
    .join('\n');
}

function describeReview(history: CommittedDecisionView[]): string {
  if (history.length === 0) return '—';
  return history.map((view, index) => describeDecision(view, index < history.length - 1)).join('\n');
}

function candidateFacts(candidate: StoryCandidate): PackFact[] {
  return [
    { label: 'Subject', value: `${candidate.subjectName} (${candidate.subjectReference})` },
    { label: 'Watch-list', value: candidate.watchlistName },
    { label: 'What the score means', value: candidate.chance },
    {
      label: 'Recorded figures',
      value: `score ${candidate.rawScore.toFixed(4)}; false-match rate ${candidate.falseMatchRate.toExponential(2)}; chance of a false candidate this high in the gallery ${candidate.expectedFpir.toExponential(2)}`,
    },
    { label: 'First review', value: describeReview(candidate.first) },
    { label: 'Second review (blind)', value: describeReview(candidate.second) },
    ...(candidate.isDisagreement ? [{ label: 'Supervisor’s decision', value: candidate.resolution ? DECISION_LABELS[candidate.resolution] : 'Disputed, not yet resolved' }] : []),
    { label: 'Decision in force', value: candidate.finalDecision ? DECISION_LABELS[candidate.finalDecision] : '—' },
    ...candidate.disclosures.map((entry) => ({
      label: 'Disclosure',
      value: `${STATUS_WORDS[entry.status]}; requested by ${entry.requestedBy}, ${formatUtc(entry.requestedAt)}${entry.decidedBy ? `; decided by ${entry.decidedBy}, ${formatUtc(entry.decidedAt)}` : ''}`,
    })),
  ];
}

export function buildPackOutline(content: PackContent): PackBlock[] {
  const { story, disclosure } = content;
  const lead = story.candidates.find((candidate) => candidate.id === disclosure.candidateId);
  const face = story.probeFace;
  const blocks: PackBlock[] = [
    { kind: 'title', text: 'Disclosure pack', subtitle: `Case ${story.case.reference} · disclosure ${disclosure.id} · ${content.isFinal ? 'generated' : 'preview, not approved'} ${formatUtc(content.generatedAt)}` },
    { kind: 'notice', text: LEAD_NOT_IDENTIFICATION },
    { kind: 'heading', text: 'Decision' },
    {
      kind: 'facts',
      facts: [
        { label: 'Lead', value: lead ? `#${lead.rank} ${lead.subjectName} (${lead.subjectReference}), ${lead.watchlistName}` : disclosure.candidateId },
        { label: 'Decision', value: STATUS_WORDS[disclosure.status] },
        { label: 'Decided by', value: disclosure.decidedBy ? `${disclosure.decidedBy}, ${formatUtc(disclosure.decidedAt)}` : '—' },
        { label: 'Supervisor’s rationale', value: disclosure.decisionRationale ?? '—' },
        { label: 'Requested by', value: `${disclosure.requestedBy}, ${formatUtc(disclosure.requestedAt)}` },
        { label: 'Investigator’s statement', value: disclosure.statement },
      ],
    },
    { kind: 'heading', text: 'Case' },
    {
      kind: 'facts',
      facts: [
        { label: 'Reference', value: story.case.reference },
        { label: 'Offence', value: story.case.offence },
        { label: 'Purpose', value: story.case.purpose },
        { label: 'Legal basis', value: story.case.legalBasis },
        { label: 'Team', value: story.case.teamName },
        { label: 'Opened', value: `${formatUtc(story.case.openedAt)} by ${story.case.openedBy}; ${story.case.status}` },
      ],
    },
    { kind: 'heading', text: 'The still and the face searched' },
    {
      kind: 'face',
      face: 'probe',
      title: 'Probe face',
      facts: [
        { label: 'Source', value: [story.probe.source, story.probe.cameraLocation, story.probe.capturedAt ? `captured ${formatUtc(story.probe.capturedAt)}` : null].filter(Boolean).join(', ') },
        { label: 'Uploaded', value: `${formatUtc(story.probe.uploadedAt)} by ${story.probe.uploadedBy}; still ${story.probe.width}×${story.probe.height} px` },
        { label: 'Still SHA-256', value: story.probe.imageSha256, isMono: true },
        { label: 'Crop SHA-256', value: face.cropSha256, isMono: true },
        {
          label: 'Quality',
          value: face.serverQualityVerdict
            ? `${face.serverQualityVerdict} (measured by the server on the crop; the browser measured ${face.clientQualityVerdict})`
            : `${face.clientQualityVerdict} (measured in the browser)`,
        },
        { label: 'Quality override', value: face.qualityOverrideReason ?? 'none' },
        { label: 'Embedding check', value: face.embeddingAgreement === null ? 'not recorded' : `server and browser embeddings agree to cosine ${face.embeddingAgreement.toFixed(4)}` },
        { label: 'Face box', value: face.isManualBox ? 'drawn by hand' : 'found by the detector' },
      ],
    },
    ...(story.probeFaces.length > 1
      ? [
          {
            kind: 'facts' as const,
            facts: story.probeFaces.map((probeFace) => ({
              label: `Probe face ${probeFace.position + 1} of ${story.probeFaces.length}`,
              value: `quality ${probeFace.qualityVerdict}; crop SHA-256 ${probeFace.cropSha256}; still SHA-256 ${probeFace.stillSha256}`,
              isMono: true,
            })),
          },
        ]
      : []),
    { kind: 'heading', text: 'The search' },
    {
      kind: 'facts',
      facts: [
        { label: 'Run', value: `${formatUtc(story.search.createdAt)} by ${story.search.actorName}` },
        ...story.search.watchlists.map((list) => ({
          label: 'Watch-list',
          value: `${list.name}${list.isDeleted ? ' (since deleted)' : ''}: ${list.faceCount} searchable faces of ${list.subjectCount} subjects now; version ${list.version ?? 'not recorded (searched before watch-lists were versioned)'}; purpose: ${list.purpose}; authority: ${list.authority}`,
        })),
        { label: 'Gallery searched', value: `${story.search.gallerySize.toLocaleString('en-GB')} faces` },
        { label: 'Mode', value: story.search.mode === 'rank' ? `rank: the top ${story.search.listSize}` : `threshold ${story.search.threshold ?? '—'}, at most ${story.search.listSize}` },
        { label: 'Model', value: story.search.modelId },
        {
          label: 'Calibration',
          value: story.search.calibration
            ? `table measured ${story.search.calibration.measuredAt} (${story.search.calibration.impostorComparisons.toLocaleString('en-GB')} impostor comparisons), fingerprint ${story.search.calibration.fingerprint}: ${story.search.calibration.dataset}`
            : 'none for this model: scores cannot be read as probabilities',
        },
        { label: 'Index', value: `${story.search.indexEngine}, version ${story.search.indexVersion}` },
        { label: 'Outcome', value: REVIEW_STATE_LABELS[story.search.reviewState] },
      ],
    },
    { kind: 'heading', text: 'Reviews' },
    story.reviews.length === 0
      ? { kind: 'paragraph', text: 'Not reviewed.' }
      : {
          kind: 'table',
          columns: ['Review', 'Reviewer', 'Started', 'Committed', 'Outcome'],
          widths: [0.16, 0.22, 0.22, 0.22, 0.18],
          rows: story.reviews.map((review) => [
            review.stage === 'first' ? 'First' : 'Second (blind)',
            review.reviewerName,
            formatUtc(review.startedAt),
            formatUtc(review.committedAt),
            review.isNoMatchInList ? 'No match in this list' : review.committedAt ? 'Decided each candidate' : 'Not committed',
          ]),
        },
    { kind: 'heading', text: `Candidates (${story.candidates.length})` },
    ...story.candidates.map((candidate): PackBlock => ({
      kind: 'face',
      face: candidate.id,
      title: `#${candidate.rank} ${candidate.subjectName}${candidate.id === disclosure.candidateId ? ' — the lead disclosed' : ''}`,
      facts: candidateFacts(candidate),
    })),
  ];
  if (story.dispute) {
    const disputed = story.candidates.filter((candidate) => story.dispute!.disputedCandidateIds.includes(candidate.id)).map((candidate) => `#${candidate.rank} ${candidate.subjectReference}`);
    blocks.push(
      { kind: 'heading', text: 'Dispute' },
      {
        kind: 'facts',
        facts: [
          { label: 'Raised', value: `${formatUtc(story.dispute.raisedAt)}: the reviewers disagreed on ${disputed.join(', ') || '—'}` },
          { label: 'Status', value: story.dispute.status === 'resolved' ? `resolved by ${story.dispute.resolvedBy}, ${formatUtc(story.dispute.resolvedAt)}` : 'open' },
          { label: 'Supervisor’s rationale', value: story.dispute.rationale ?? '—' },
        ],
      },
    );
  }
  blocks.push({ kind: 'heading', text: 'Every other search in this case' });
  blocks.push(
    story.otherSearches.length === 0
      ? { kind: 'paragraph', text: 'No other search was run in this case.' }
      : {
          kind: 'table',
          columns: ['Run', 'By', 'Watch-lists', 'Gallery', 'Candidates', 'Outcome', 'Possible matches'],
          widths: [0.16, 0.13, 0.16, 0.1, 0.12, 0.17, 0.16],
          rows: story.otherSearches.map((search) => [
            formatUtc(search.createdAt),
            search.actorName,
            search.watchlistNames.join(', '),
            search.gallerySize.toLocaleString('en-GB'),
            String(search.candidateCount),
            REVIEW_STATE_LABELS[search.reviewState],
            search.possibleMatches.join(', ') || 'none',
          ]),
        },
  );
  blocks.push(
    { kind: 'heading', text: 'Audit trail of this search' },
    {
      kind: 'paragraph',
      text: content.chainHead
        ? `${content.auditTrail.length} events about this search, its face, candidates, dispute and disclosure, up to the audit chain head at ${content.isFinal ? 'pack' : 'preview'} time: event #${content.chainHead.sequence}, hash below. The whole chain is checked with npm run audit:verify; this file's own SHA-256 is recorded in the approval's audit event (npm run pack:verify -- FILE).`
        : 'The audit log is empty.',
    },
    ...(content.chainHead ? [{ kind: 'facts' as const, facts: [{ label: 'Chain head', value: `#${content.chainHead.sequence} ${content.chainHead.hash}`, isMono: true }] }] : []),
    {
      kind: 'audit',
      events: content.auditTrail.map((event) => ({
        line: `#${event.sequence}  ${formatUtc(event.createdAt)}  ${event.action}  ${event.outcome}  ${event.actorName ?? 'system'}${event.actorRole ? ` (${event.actorRole})` : ''}${event.targetType ? `  → ${event.targetType}` : ''}`,
        hash: event.hash,
      })),
    },
  );
  return blocks;
}
