import { describe, expect, it } from 'vitest';
import { finalDecision, readResolution } from '@/lib/shared/review/dispute-resolution';
import { buildPackOutline, formatUtc } from '@/lib/shared/review/pack-outline';
import type { PackContent } from '@/lib/shared/review/whole-story-view';
import type { Decision } from '@/lib/shared/schemas/review';

const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';
const C = '00000000-0000-4000-8000-00000000000c';

describe('the decision in force after a dispute', () => {
  const first = new Map<string, Decision>([[A, 'possible_match'], [B, 'no_match'], [C, 'possible_match']]);
  const second = new Map<string, Decision>([[A, 'no_match'], [B, 'no_match'], [C, 'possible_match']]);

  it('is the supervisor’s where the reviewers disagreed, theirs where they agreed, none while disputed', () => {
    const resolution = readResolution({ decisions: { [A]: 'possible_match' } });
    expect(finalDecision(A, first, second, resolution)).toBe('possible_match');
    expect(finalDecision(B, first, second, resolution)).toBe('no_match');
    expect(finalDecision(C, first, second, resolution)).toBe('possible_match');
    expect(finalDecision(A, first, second, new Map())).toBeNull();
  });

  it('reads nothing from a missing or malformed resolution', () => {
    expect(readResolution(null).size).toBe(0);
    expect(readResolution({ decisions: { [A]: 'match' } }).size).toBe(0);
    expect(readResolution({ [A]: 'possible_match' }).size).toBe(0);
  });
});

describe('the pack outline', () => {
  it('writes times in UTC to the second, whatever the reader’s zone', () => {
    expect(formatUtc(new Date('2026-12-02T07:30:05.123Z'))).toBe('2026-12-02 07:30:05 UTC');
    expect(formatUtc(null)).toBe('—');
  });

  it('says a negative outcome for a case with no other search, and states that a lead is not an identification', () => {
    const at = new Date('2026-12-02T07:30:00Z');
    const disclosure = { id: 'd', candidateId: A, status: 'approved' as const, statement: 'S', requestedAt: at, requestedBy: 'I', decidedBy: 'Sup', decidedAt: at, decisionRationale: 'R', packSha256: null };
    const content = {
      story: {
        case: { id: 'c', reference: 'REF/1', offence: 'O', purpose: 'P', legalBasis: 'L', status: 'open', openedAt: at, openedBy: 'I', teamName: 'T' },
        probe: { source: 'CCTV', cameraLocation: null, capturedAt: null, imageSha256: 'a'.repeat(64), width: 1, height: 1, uploadedAt: at, uploadedBy: 'I' },
        probeFace: { id: 'p', cropUrl: '/x', cropSha256: 'b'.repeat(64), isManualBox: false, clientQualityVerdict: 'good', serverQualityVerdict: null, embeddingAgreement: null, qualityOverrideReason: null },
        probeFaces: [{ id: 'p', position: 0, cropUrl: '/x', cropSha256: 'b'.repeat(64), qualityVerdict: 'good', stillSha256: 'a'.repeat(64) }],
        search: { id: 's', createdAt: at, actorName: 'I', mode: 'rank', listSize: 5, threshold: null, modelId: 'm', indexEngine: 'embedded', indexVersion: '1', gallerySize: 10, reviewState: 'confirmed', watchlists: [], calibration: null },
        reviews: [],
        candidates: [],
        dispute: null,
        disclosure,
        otherSearches: [],
        viewerConflict: null,
      },
      disclosure,
      auditTrail: [],
      chainHead: { sequence: 7, hash: 'c'.repeat(64) },
      generatedAt: at,
      isFinal: true,
    } satisfies PackContent;
    const text = JSON.stringify(buildPackOutline(content));
    // One probe face: no list of the probe's faces.
    expect(text).not.toContain('Probe face 1 of');
    const several = { ...content, story: { ...content.story, probeFaces: [...content.story.probeFaces, { id: 'q', position: 1, cropUrl: '/y', cropSha256: 'd'.repeat(64), qualityVerdict: 'poor', stillSha256: 'e'.repeat(64) }] } };
    const severalText = JSON.stringify(buildPackOutline(several));
    expect(severalText).toContain(`Probe face 2 of 2","value":"quality poor; crop SHA-256 ${'d'.repeat(64)}; still SHA-256 ${'e'.repeat(64)}`);
    expect(text).toContain('an investigative lead, not an identification');
    expect(text).toContain('No other search was run in this case.');
    expect(text).toContain(`#7 ${'c'.repeat(64)}`);
  });
});
