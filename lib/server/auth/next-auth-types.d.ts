import type { DefaultSession } from 'next-auth';

declare module 'next-auth' {
  interface Session {
    user: { id: string } & DefaultSession['user'];
  }
}

declare module '@auth/core/jwt' {
  interface JWT {
    /** The `user_sessions` row this token stands for. */
    sid?: string;
    /** The session's absolute expiry, in seconds since the epoch. */
    sxp?: number;
  }
}
