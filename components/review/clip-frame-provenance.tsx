import { type ClipFrameProvenance, describeClipFrame } from '@/lib/shared/clip-frame-label';

/**
 * The "From a clip" entry of a probe's provenance list (a <dl>): which frame of which clip the still is,
 * with the clip's full SHA-256. Nothing for a still that is no clip frame.
 */
export function ClipFrameFacts({ probe, testId }: { probe: ClipFrameProvenance; testId: string }) {
  const frame = describeClipFrame(probe);
  if (!frame) return null;
  return (
    <>
      <dt>From a clip</dt>
      <dd data-testid={testId}>
        {frame}
        <div className="mono muted" style={{ wordBreak: 'break-all' }}>
          Clip SHA-256 {probe.clipSha256}
        </div>
      </dd>
    </>
  );
}
