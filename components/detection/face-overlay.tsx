'use client';

import { useRef, useState, type PointerEvent } from 'react';
import type { Box } from '@/lib/vision/geometry';

export type OverlayFace = { key: string; box: Box; verdict?: 'good' | 'usable' | 'poor'; label: string };

const COLOURS = { good: '#1e7b34', usable: '#b07a00', poor: '#a4262c', unknown: '#1f4e8c' } as const;

/**
 * The still with a box per face. Coordinates are in the worker's working image (which may be a reduced
 * copy of a huge still); they are scaled to the displayed size. In drawing mode a drag draws a box for
 * a face the detector missed.
 */
export function FaceOverlay(props: {
  src: string;
  workingWidth: number;
  workingHeight: number;
  faces: OverlayFace[];
  selectedKey: string | null;
  hoveredKey: string | null;
  onHover: (key: string | null) => void;
  onSelect: (key: string) => void;
  isDrawing: boolean;
  onDrawn: (box: Box) => void;
}) {
  const frame = useRef<HTMLDivElement>(null);
  const [draft, setDraft] = useState<{ x0: number; y0: number; x1: number; y1: number } | null>(null);

  const toWorking = (event: PointerEvent) => {
    const rect = frame.current!.getBoundingClientRect();
    return {
      x: ((event.clientX - rect.left) / rect.width) * props.workingWidth,
      y: ((event.clientY - rect.top) / rect.height) * props.workingHeight,
    };
  };
  const pct = (value: number, total: number) => `${(100 * value) / total}%`;

  return (
    <div
      ref={frame}
      className="face-frame"
      data-testid="face-overlay"
      style={{ cursor: props.isDrawing ? 'crosshair' : 'default' }}
      onPointerDown={(event) => {
        if (!props.isDrawing) return;
        const start = toWorking(event);
        (event.target as Element).setPointerCapture?.(event.pointerId);
        setDraft({ x0: start.x, y0: start.y, x1: start.x, y1: start.y });
      }}
      onPointerMove={(event) => {
        if (!draft) return;
        const point = toWorking(event);
        setDraft({ ...draft, x1: point.x, y1: point.y });
      }}
      onPointerUp={() => {
        if (!draft) return;
        const box = {
          x: Math.min(draft.x0, draft.x1),
          y: Math.min(draft.y0, draft.y1),
          width: Math.abs(draft.x1 - draft.x0),
          height: Math.abs(draft.y1 - draft.y0),
        };
        setDraft(null);
        if (box.width >= 8 && box.height >= 8) props.onDrawn(box);
      }}
    >
      {/* eslint-disable-next-line @next/next/no-img-element -- a local object URL, never optimised */}
      <img src={props.src} alt="Uploaded still" draggable={false} />
      {props.faces.map((face) => {
        const colour = COLOURS[face.verdict ?? 'unknown'];
        const isActive = face.key === props.selectedKey || face.key === props.hoveredKey;
        return (
          <button
            key={face.key}
            type="button"
            className="face-box"
            aria-label={face.label}
            aria-pressed={face.key === props.selectedKey}
            onMouseEnter={() => props.onHover(face.key)}
            onMouseLeave={() => props.onHover(null)}
            onClick={() => props.onSelect(face.key)}
            style={{
              left: pct(face.box.x, props.workingWidth),
              top: pct(face.box.y, props.workingHeight),
              width: pct(face.box.width, props.workingWidth),
              height: pct(face.box.height, props.workingHeight),
              borderColor: colour,
              boxShadow: isActive ? `0 0 0 3px ${colour}66` : undefined,
              pointerEvents: props.isDrawing ? 'none' : 'auto',
            }}
          />
        );
      })}
      {draft ? (
        <div
          className="face-box draft"
          style={{
            left: pct(Math.min(draft.x0, draft.x1), props.workingWidth),
            top: pct(Math.min(draft.y0, draft.y1), props.workingHeight),
            width: pct(Math.abs(draft.x1 - draft.x0), props.workingWidth),
            height: pct(Math.abs(draft.y1 - draft.y0), props.workingHeight),
          }}
        />
      ) : null}
    </div>
  );
}
