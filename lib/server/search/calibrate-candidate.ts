import 'server-only';
import { AppError } from '@/lib/shared/errors';
import { calibrationTableFor, calibrationTableId, expectedFalsePositiveRate, falseMatchRate } from '@/lib/shared/calibration/false-match-rate';
import type { ScoreCalibration } from './run-face-search';

/**
 * Raw score → measured false-match rate → expected false-positive identification rate at the size of
 * the gallery actually searched, read from the table measured for the probe's quality band (the
 * model's general table where a band has none). A model with no calibration table cannot be searched:
 * its scores would have no meaning a reviewer could rely on.
 */
export const calibrateCandidate: ScoreCalibration = ({ modelId, probeQuality }) => {
  const table = calibrationTableFor(modelId, probeQuality);
  return {
    tableId: table ? calibrationTableId(table) : null,
    probeAdapterId: table?.probeAdapterId ?? null,
    calibrate({ rawScore, gallerySize }) {
      const fmr = table ? falseMatchRate(modelId, rawScore, table) : null;
      if (!fmr) throw new AppError('VALIDATION', `Scores of ${modelId} are not calibrated; run \`npm run calibrate\` for this model first.`);
      return { falseMatchRate: fmr.fmr, expectedFpir: expectedFalsePositiveRate(fmr.fmr, gallerySize) };
    },
  };
};
