// @ts-check

// Cross-origin isolation lets onnxruntime-web use WebAssembly threads (SharedArrayBuffer).
const isolationHeaders = [
  { key: 'Cross-Origin-Opener-Policy', value: 'same-origin' },
  { key: 'Cross-Origin-Embedder-Policy', value: 'require-corp' },
];

const securityHeaders = [
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  { key: 'Referrer-Policy', value: 'no-referrer' },
  { key: 'X-Frame-Options', value: 'DENY' },
  { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=()' },
];

/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  experimental: {
    authInterrupts: true,
    serverActions: { bodySizeLimit: '4mb' },
    // Bodies pass through proxy.ts, which buffers at most this much (10 MB by default, silently
    // truncating the rest): room for an /api/v1 search with its largest photo (15 MiB, see
    // MAX_API_IMAGE_BYTES), refused above that by the route before it reads the body.
    proxyClientMaxBodySize: '17mb',
  },
  // Native and WebAssembly packages are loaded from node_modules at run time, not bundled.
  serverExternalPackages: [
    '@electric-sql/pglite',
    'pglite-prisma-adapter',
    '@node-rs/argon2',
    'usearch',
    'onnxruntime-node',
    'sharp',
    'pg',
    // Reads its font metrics and the embedded TrueType fonts from disk at run time.
    'pdfkit',
  ],
  async headers() {
    return [{ source: '/:path*', headers: [...isolationHeaders, ...securityHeaders] }];
  },
};

export default nextConfig;
