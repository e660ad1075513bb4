import type { ActionError } from '@/lib/shared/errors';

export function FieldError({ error, name }: { error: ActionError | null; name: string }) {
  const messages = error?.fieldErrors?.[name];
  if (!messages?.length) return null;
  return <span className="field-error">{messages.join(' ')}</span>;
}

export function FormError({ error }: { error: ActionError | null }) {
  if (!error) return null;
  return (
    <p className="alert error" role="alert">
      {error.message}
      {error.eventId ? <span className="mono"> (reference {error.eventId})</span> : null}
    </p>
  );
}
