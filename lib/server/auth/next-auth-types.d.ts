import type { DefaultSession } from 'next-auth';
import type { Role } from '@/lib/shared/roles';

declare module 'next-auth' {
  interface Session {
    user: { id: string; role: Role } & DefaultSession['user'];
  }
}

declare module '@auth/core/jwt' {
  interface JWT {
    role?: Role;
  }
}
