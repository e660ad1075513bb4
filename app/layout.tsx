import type { Metadata } from 'next';
import { connection } from 'next/server';
import type { ReactNode } from 'react';
import { Providers } from '@/components/providers';
import './globals.css';

export const metadata: Metadata = {
  title: 'RFR Workstation',
  description: 'Retrospective facial recognition, accountable by design',
};

// Every page is rendered per request (none is prerendered at build time, not even the 404 page), so
// each carries the script nonce that proxy.ts puts in its Content-Security-Policy.
export default async function RootLayout({ children }: { children: ReactNode }) {
  await connection();
  return (
    <html lang="en-GB">
      <body>
        <Providers>{children}</Providers>
      </body>
    </html>
  );
}
