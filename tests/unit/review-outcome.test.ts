import { describe, expect, it } from 'vitest';
import { confirmedCandidates, deriveReviewState, findDisagreements } from '@/lib/shared/review/review-outcome';
import type { Decision } from '@/lib/shared/schemas/review';

const decisions = (entries: Record<string, Decision>) => new Map(Object.entries(entries));

describe('where a search review stands', () => {
  it.each([
    ['nothing committed', {}, 'awaiting_first_review'],
    ['"no match in this list"', { first: decisions({ a: 'no_match', b: 'no_match' }), isFirstNoMatchInList: true }, 'no_match_in_list'],
    ['no possible match, some inconclusive', { first: decisions({ a: 'no_match', b: 'inconclusive' }) }, 'no_possible_match'],
    ['a possible match, no second review yet', { first: decisions({ a: 'possible_match', b: 'no_match' }) }, 'awaiting_second_review'],
    ['both agree on the possible match', { first: decisions({ a: 'possible_match', b: 'no_match' }), second: decisions({ a: 'possible_match', b: 'no_match' }) }, 'confirmed'],
    ['second says no match', { first: decisions({ a: 'possible_match', b: 'no_match' }), second: decisions({ a: 'no_match', b: 'no_match' }) }, 'disputed'],
    ['disagreement the other way', { first: decisions({ a: 'possible_match', b: 'no_match' }), second: decisions({ a: 'possible_match', b: 'possible_match' }) }, 'disputed'],
    ['inconclusive against no match', { first: decisions({ a: 'possible_match', b: 'inconclusive' }), second: decisions({ a: 'possible_match', b: 'no_match' }) }, 'disputed'],
    ['a resolved dispute', { first: decisions({ a: 'possible_match' }), second: decisions({ a: 'no_match' }), isDisputeResolved: true }, 'resolved'],
  ] as const)('%s → %s', (_label, input, expected) => {
    expect(deriveReviewState(input)).toBe(expected);
  });

  it('confirms only candidates both reviewers called a possible match, and lists every disagreement', () => {
    const first = decisions({ a: 'possible_match', b: 'possible_match', c: 'no_match' });
    const second = decisions({ a: 'possible_match', b: 'inconclusive', c: 'no_match' });
    expect(confirmedCandidates(first, second)).toEqual(['a']);
    expect(findDisagreements(first, second)).toEqual(['b']);
  });
});
