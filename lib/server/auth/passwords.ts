import 'server-only';
import { hash, verify } from '@node-rs/argon2';

// argon2id (the library's default algorithm; a unit test checks the encoded hash says so) with
// OWASP's baseline of 19 MiB and 2 passes: slow enough to hurt offline guessing, quick enough that a
// throttled sign-in form cannot be used to exhaust the server.
const OPTIONS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

// Verifying against this when the account does not exist keeps the response time the same, so the
// sign-in form does not reveal which e-mail addresses have accounts.
let decoyHash: Promise<string> | undefined;

export async function verifyPassword(passwordHash: string | null, password: string): Promise<boolean> {
  decoyHash ??= hashPassword('decoy password that matches no account');
  const target = passwordHash ?? (await decoyHash);
  const matches = await verify(target, password).catch(() => false);
  return passwordHash !== null && matches;
}
