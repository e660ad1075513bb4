'use client';

import { useMutation } from '@tanstack/react-query';
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

export function formToObject(form: HTMLFormElement): Record<string, string> {
  return Object.fromEntries(
    [...new FormData(form).entries()].filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
  );
}
