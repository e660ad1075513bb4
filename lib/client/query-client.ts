import { QueryClient } from '@tanstack/react-query';

type StatusError = { status?: number; code?: string };

export function makeQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 30_000,
        // Retrying a refusal only repeats it (and adds to the audit log).
        retry: (failureCount, error) => {
          const { status, code } = error as StatusError;
          if (status === 401 || status === 403 || code === 'UNAUTHENTICATED' || code === 'FORBIDDEN') return false;
          return failureCount < 2;
        },
      },
      mutations: { retry: false },
    },
  });
}
