'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useRef, useState } from 'react';
import { takeSecondReview } from '@/lib/actions/reviews';
import type { ActionError } from '@/lib/shared/errors';
import { FormError } from '@/components/ui/form-feedback';

/**
 * Opening a queue entry takes it. Done by the action (audited, through the wrapper) once the page is
 * in the browser, not by rendering the page, so a prefetch or a crawler never takes a review.
 */
export function TakeSecondReview({ searchId }: { searchId: string }) {
  const router = useRouter();
  const [error, setError] = useState<ActionError | null>(null);
  const isStarted = useRef(false);
  useEffect(() => {
    if (isStarted.current) return;
    isStarted.current = true;
    void takeSecondReview({ searchId }).then((result) => (result.ok ? router.refresh() : setError(result.error)));
  }, [router, searchId]);
  if (error) return <FormError error={error} />;
  return (
    <p role="status" aria-live="polite">
      Taking this second review…
    </p>
  );
}
