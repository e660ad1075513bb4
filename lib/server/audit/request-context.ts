import 'server-only';
import { isIP } from 'node:net';
import { getConfig } from '@/lib/server/config';

/**
 * Where a request came from, kept in every audit event written on its behalf (under the payload's
 * `request` key, so inside the hash chain). `ip` is an address this server can vouch for, or null.
 */
export type RequestContext = {
  ip: string | null;
  userAgent: string | null;
  /** A call to /api/v1: the client that made it, the officer it says it acts for, and the call's own id (the problem documents' `eventId`). */
  apiClientId?: string;
  operatorId?: string | null;
  requestId?: string;
};

/** What command-line tools record: no address, and a user agent that says where the event came from. */
export const CLI_REQUEST_CONTEXT: RequestContext = { ip: null, userAgent: 'cli' };

// A user agent is the client's free text: kept, but bounded.
const MAX_USER_AGENT = 512;

/**
 * Reads the context from a request's headers. Next.js exposes no socket address to route handlers or
 * server actions: it only fills X-Forwarded-For with it when the client sent none, so without a
 * trusted proxy the header may be the client's own invention and no address is recorded. Behind
 * `trustedProxyHops` proxies that each append the address they were reached from, the entry that many
 * places from the end is the first one this deployment's own infrastructure wrote.
 */
export function requestContextFromHeaders(headers: Pick<Headers, 'get'>, options: { trustedProxyHops: number }): RequestContext {
  const userAgent = headers.get('user-agent')?.slice(0, MAX_USER_AGENT) || null;
  if (options.trustedProxyHops < 1) return { ip: null, userAgent };
  const hops = (headers.get('x-forwarded-for') ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  const candidate = hops.length >= options.trustedProxyHops ? hops[hops.length - options.trustedProxyHops] : undefined;
  return { ip: candidate ? normaliseAddress(candidate) : null, userAgent };
}

/** A bare IPv4/IPv6 address (brackets, ports and zone ids dropped), or null for anything else. */
function normaliseAddress(value: string): string | null {
  let address = value;
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(address);
  if (bracketed) address = bracketed[1]!;
  else if (/^\d{1,3}(\.\d{1,3}){3}:\d+$/.test(address)) address = address.slice(0, address.lastIndexOf(':'));
  address = address.replace(/%.*$/, '');
  if (address.startsWith('::ffff:') && isIP(address.slice(7)) === 4) address = address.slice(7);
  return isIP(address) ? address.toLowerCase() : null;
}

/** The current web request's context, for the action wrapper (throws outside a request). */
export async function readRequestContext(): Promise<RequestContext> {
  const { headers } = await import('next/headers');
  return requestContextFromHeaders(await headers(), { trustedProxyHops: getConfig().trustedProxyHops });
}

/**
 * The context of the web request this code runs on behalf of, if any: for audit events written
 * outside the action wrapper (page views by the data layer, sign-in, crop views). Null in command-line
 * tools and tests (no Next.js runtime) and in the server's own background jobs (no request in scope).
 */
export async function ambientRequestContext(): Promise<RequestContext | null> {
  if (!process.env.NEXT_RUNTIME) return null;
  try {
    return await readRequestContext();
  } catch (error) {
    // Next.js signals prerendering and similar control flow by throwing from headers(): pass those
    // on; "outside a request scope" (a timer, a background job) simply has no request.
    const { unstable_rethrow } = await import('next/navigation');
    unstable_rethrow(error);
    return null;
  }
}
