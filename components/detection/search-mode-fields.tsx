import { calibrationTableFor } from '@/lib/shared/calibration/false-match-rate';
import type { SearchMode } from '@/lib/shared/schemas/search';

// Threshold mode is offered in terms of measured false-match rates, not raw scores.
function thresholdChoices(modelId: string): { fmr: number; score: number }[] {
  return (calibrationTableFor(modelId)?.thresholds ?? []).filter(
    (entry): entry is { fmr: number; score: number } => entry.score !== null && entry.fmr <= 1e-2,
  );
}

/**
 * Ranked list or threshold, and the threshold as a false-match rate of the probe's model: the same fields
 * for a search from a still and from a clip, each with its own reducer holding the mode.
 */
export function SearchModeFields({ mode, onModeChange, modelId }: { mode: SearchMode; onModeChange: (mode: SearchMode) => void; modelId: string | null }) {
  return (
    <>
      <label>
        Mode
        <select value={mode} onChange={(event) => onModeChange(event.currentTarget.value as SearchMode)}>
          <option value="rank">Ranked list: the closest people, however weak</option>
          <option value="threshold">Threshold: only scores rarer by chance than…</option>
        </select>
      </label>
      {mode === 'threshold' && modelId ? (
        <label>
          Chance of a score this high between two different people
          <select name="threshold" defaultValue={thresholdChoices(modelId)[1]?.score}>
            {thresholdChoices(modelId).map((choice) => (
              <option key={choice.fmr} value={choice.score}>
                1 in {(1 / choice.fmr).toLocaleString('en-GB')} comparisons
              </option>
            ))}
          </select>
        </label>
      ) : null}
    </>
  );
}
