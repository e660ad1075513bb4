import type { SearchableWatchlist } from './probe-workbench';

/**
 * Which watch-lists a search covers, with the acknowledgement a list past its review date needs: the same
 * fieldset for a search from a still and from a clip, each with its own reducer holding the choice.
 */
export function WatchlistChoice({
  watchlists,
  chosenIds,
  onToggle,
}: {
  watchlists: SearchableWatchlist[];
  chosenIds: readonly string[];
  onToggle: (watchlistId: string, isChosen: boolean) => void;
}) {
  return (
    <>
      <fieldset>
        <legend>Watch-lists to search</legend>
        {watchlists.length === 0 ? <p className="muted">No watch-lists exist yet. An administrator creates and fills them.</p> : null}
        {watchlists.map((list) => (
          <label key={list.id} style={{ display: 'flex', gap: '0.5rem', fontWeight: 400 }}>
            <input type="checkbox" checked={chosenIds.includes(list.id)} onChange={(event) => onToggle(list.id, event.currentTarget.checked)} />
            {list.name} <span className="muted">({list.faces} faces)</span>
            {list.isReviewOverdue ? <span className="badge warn">review overdue</span> : null}
          </label>
        ))}
      </fieldset>
      {watchlists.some((list) => list.isReviewOverdue && chosenIds.includes(list.id)) ? (
        <label style={{ display: 'flex', gap: '0.5rem', fontWeight: 400 }}>
          <input type="checkbox" name="isOverdueReviewAcknowledged" required />
          I know a chosen watch-list is past its review date and may no longer be justified; search it anyway (recorded).
        </label>
      ) : null}
    </>
  );
}
