'use client';

import { useRef, type ReactNode } from 'react';

/**
 * Moves focus between the items of a list with the keyboard: j / ↓ / → next, k / ↑ / ← previous,
 * Home / End first and last. Items are the elements matching `itemSelector`; each must be focusable.
 */
export function KeyboardList({ children, itemSelector, label }: { children: ReactNode; itemSelector: string; label: string }) {
  const container = useRef<HTMLDivElement>(null);
  return (
    <div
      ref={container}
      role="group"
      aria-label={label}
      onKeyDown={(event) => {
        const items = [...(container.current?.querySelectorAll<HTMLElement>(itemSelector) ?? [])];
        if (items.length === 0) return;
        const current = items.findIndex((item) => item === document.activeElement || item.contains(document.activeElement));
        const moves: Record<string, number> = {
          j: current + 1,
          ArrowDown: current + 1,
          ArrowRight: current + 1,
          k: current - 1,
          ArrowUp: current - 1,
          ArrowLeft: current - 1,
          Home: 0,
          End: items.length - 1,
        };
        const target = moves[event.key];
        if (target === undefined) return;
        event.preventDefault();
        items[Math.max(0, Math.min(items.length - 1, target))]?.focus();
      }}
    >
      {children}
    </div>
  );
}
