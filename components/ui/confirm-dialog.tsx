'use client';

import { useEffect, useId, useRef, type ReactNode } from 'react';

/**
 * A modal confirmation on the native <dialog>: the page behind is inert, focus stays inside, and
 * Escape cancels. Focus starts on Cancel, so a decision that cannot be taken back is never made by
 * a stray Enter.
 */
export function ConfirmDialog({
  title,
  children,
  confirmLabel = 'Confirm',
  isPending = false,
  onConfirm,
  onCancel,
}: {
  title: string;
  children: ReactNode;
  confirmLabel?: string;
  isPending?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const cancel = useRef<HTMLButtonElement>(null);
  const ids = useId();
  useEffect(() => {
    const element = dialog.current;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (element && !element.open) element.showModal?.();
    cancel.current?.focus();
    return () => {
      if (opener?.isConnected) opener.focus();
    };
  }, []);
  return (
    <dialog
      ref={dialog}
      className="bench-dialog"
      aria-labelledby={`${ids}-title`}
      aria-describedby={`${ids}-body`}
      onCancel={(event) => {
        event.preventDefault();
        onCancel();
      }}
      onClose={onCancel}
    >
      <h2 id={`${ids}-title`}>{title}</h2>
      <div id={`${ids}-body`}>{children}</div>
      <div className="row bench-dialog-actions">
        <button ref={cancel} type="button" className="button secondary" onClick={onCancel} disabled={isPending}>
          Cancel
        </button>
        <button type="button" className="button" onClick={onConfirm} disabled={isPending}>
          {confirmLabel}
        </button>
      </div>
    </dialog>
  );
}
