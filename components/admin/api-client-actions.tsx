'use client';

import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { ClientSecret } from '@/components/admin/client-secret';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import { FormError } from '@/components/ui/form-feedback';
import { revokeApiClient, rotateApiClientSecret } from '@/lib/actions/api-clients';
import { useActionMutation } from '@/lib/client/use-action-mutation';

/** Rotate the secret or revoke the client, each after a confirmation: both cut off the partner system at once. */
export function ApiClientActions({ clientId, name }: { clientId: string; name: string }) {
  const router = useRouter();
  const rotate = useActionMutation(rotateApiClientSecret);
  const revoke = useActionMutation(revokeApiClient);
  const [asking, setAsking] = useState<'rotate' | 'revoke' | null>(null);
  return (
    <div className="stack">
      <div className="row">
        <button className="button secondary" type="button" aria-label={`Rotate the secret of ${name}`} onClick={() => setAsking('rotate')}>
          Rotate secret
        </button>
        <button className="button danger" type="button" aria-label={`Revoke ${name}`} onClick={() => setAsking('revoke')}>
          Revoke
        </button>
      </div>
      {asking === 'rotate' ? (
        <ConfirmDialog
          title={`Rotate the secret of ${name}?`}
          confirmLabel="Rotate secret"
          isPending={rotate.isPending}
          onCancel={() => setAsking(null)}
          onConfirm={() =>
            rotate.mutate(
              { clientId },
              {
                onSuccess: () => {
                  setAsking(null);
                  router.refresh();
                },
              },
            )
          }
        >
          <p>The current secret and every token issued with it stop working now. The new secret is shown once.</p>
        </ConfirmDialog>
      ) : null}
      {asking === 'revoke' ? (
        <ConfirmDialog
          title={`Revoke ${name}?`}
          confirmLabel="Revoke client"
          isPending={revoke.isPending}
          onCancel={() => setAsking(null)}
          onConfirm={() =>
            revoke.mutate(
              { clientId },
              {
                onSuccess: () => {
                  setAsking(null);
                  router.refresh();
                },
              },
            )
          }
        >
          <p>Its tokens stop working on their next call and it cannot take new ones. This cannot be undone: register a new client instead.</p>
        </ConfirmDialog>
      ) : null}
      {rotate.data ? <ClientSecret lead="Secret rotated." clientId={rotate.data.clientId} secret={rotate.data.clientSecret} /> : null}
      <FormError error={rotate.error ?? revoke.error} />
    </div>
  );
}
