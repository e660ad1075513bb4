#!/usr/bin/env node
// An example partner client for /api/v1, with nothing but Node's own fetch: takes a token (or client
// credentials to get one), searches one photo, and prints the ranked candidates.
//
//   node scripts/api-example-client.mjs --url http://127.0.0.1:3000 --token TOKEN \
//     --image photo.jpg --reference INC-2026-0042 --purpose "Identify a person who will not give their name" --operator PC-1234
//   node scripts/api-example-client.mjs --client-id ID --client-secret SECRET --image photo.jpg …   (takes a token first)
//   add --json for the raw search document, --watchlists ID,ID to narrow the lists, --idempotency-key KEY to make a retry safe.
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  strict: true,
  options: {
    url: { type: 'string', default: process.env.RFR_API_URL ?? 'http://127.0.0.1:3000' },
    token: { type: 'string' },
    'client-id': { type: 'string' },
    'client-secret': { type: 'string' },
    image: { type: 'string' },
    reference: { type: 'string' },
    purpose: { type: 'string' },
    operator: { type: 'string' },
    watchlists: { type: 'string' },
    'list-size': { type: 'string' },
    'idempotency-key': { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});

function fail(message, problem) {
  console.error(message);
  if (problem) console.error(JSON.stringify(problem, null, 2));
  process.exit(1);
}

if (!values.image || !values.reference || !values.purpose || !values.operator) {
  fail('usage: api-example-client.mjs (--token TOKEN | --client-id ID --client-secret SECRET) --image FILE --reference REF --purpose TEXT --operator ID [--url URL] [--watchlists IDS] [--list-size N] [--idempotency-key KEY] [--json]');
}

let token = values.token;
if (!token) {
  if (!values['client-id'] || !values['client-secret']) fail('Give --token, or --client-id and --client-secret to take one.');
  const response = await fetch(new URL('/api/v1/token', values.url), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: values['client-id'], client_secret: values['client-secret'] }),
  });
  const body = await response.json();
  if (!response.ok) fail(`token: ${response.status} ${body.title ?? ''}`, body);
  token = body.access_token;
}

const form = new FormData();
form.set('image', new Blob([await readFile(values.image)]), basename(values.image));
form.set('reference', values.reference);
form.set('purpose', values.purpose);
form.set('operator', values.operator);
if (values.watchlists) form.set('watchlists', values.watchlists);
if (values['list-size']) form.set('listSize', values['list-size']);
const response = await fetch(new URL('/api/v1/searches', values.url), {
  method: 'POST',
  headers: { authorization: `Bearer ${token}`, ...(values['idempotency-key'] ? { 'idempotency-key': values['idempotency-key'] } : {}) },
  body: form,
});
const search = await response.json();
if (response.status !== 201) fail(`search: ${response.status} ${search.title ?? ''}: ${search.detail ?? ''}`, search);
if (values.json) {
  console.log(JSON.stringify(search, null, 2));
} else {
  console.log(`search ${search.id} at ${search.createdAt}: ${search.candidates.length} candidates from a gallery of ${search.gallerySize} (image retained: ${search.imageRetained})`);
  console.log(`face quality: ${search.quality.verdict}`);
  for (const candidate of search.candidates) {
    console.log(`${String(candidate.rank).padStart(3)}  ${candidate.score.raw.toFixed(3)}  ${candidate.subject.reference} (${candidate.subject.name}, ${candidate.watchlist.name})`);
    console.log(`       ${candidate.score.words}`);
  }
  console.log('\nEvery candidate is a lead for a person to review, not an identification.');
}
