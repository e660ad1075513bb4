'use client';

import { useMutation } from '@tanstack/react-query';
import type { FormEvent } from 'react';
import type { ActionError, ActionResult } from '@/lib/shared/errors';

/** Wraps a server action so components get pending/error state and typed errors from one place. */
export function useActionMutation<Input, Data>(action: (input: Input) => Promise<ActionResult<Data>>) {
  return useMutation<Data, ActionError, Input>({
    mutationFn: async (input) => {
      const result = await action(input);
      if (!result.ok) throw result.error;
      return result.data;
    },
  });
}

/** A form's text fields as an object; a name given several times (ticked boxes) becomes a list. */
export function formToObject(form: HTMLFormElement): Record<string, string | string[]> {
  const result: Record<string, string | string[]> = {};
  for (const [name, value] of new FormData(form).entries()) {
    if (typeof value !== 'string') continue;
    const previous = result[name];
    result[name] = previous === undefined ? value : [...(Array.isArray(previous) ? previous : [previous]), value];
  }
  return result;
}

/**
 * A form bound to a server action: submit sends the form's fields as an object; errors (with field
 * errors) and pending/success state come back for the form to show.
 */
export function useActionForm<Data>(
  action: (input: unknown) => Promise<ActionResult<Data>>,
  options: { extra?: Record<string, unknown>; onSuccess?: (data: Data, form: HTMLFormElement) => void } = {},
) {
  const mutation = useActionMutation(action);
  return {
    error: mutation.error,
    /** The error to show at the top of the form: field errors are shown beside their fields instead. */
    formError: mutation.error?.fieldErrors ? null : mutation.error,
    isPending: mutation.isPending,
    isSuccess: mutation.isSuccess,
    onSubmit(event: FormEvent<HTMLFormElement>) {
      event.preventDefault();
      const form = event.currentTarget;
      mutation.mutate({ ...formToObject(form), ...options.extra }, { onSuccess: (data) => options.onSuccess?.(data, form) });
    },
  };
}
