#!/usr/bin/env node
// Verifies an audit-log export (the JSON written by lib/server/audit/export-audit-log.ts) with nothing
// but Node.js: no project code, no packages, so it can be copied to and run on any machine.
//
//   node verify-audit-export.mjs audit-export.json [--public-key audit-anchor-key.pub.pem]
//
// It recomputes every event's hash from its fields, checks each previous-hash link between
// consecutive events, checks the signed checkpoint (with --public-key, a copy of the key obtained
// independently; otherwise the key inside the file, which only shows the file agrees with itself)
// and, for a complete export, that no event the checkpoint vouches for is missing. Exit 0: intact;
// 1: the first bad link is printed; 2: the file or the arguments could not be read.
import { createHash, createPublicKey, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const FORMAT = 'rfr-audit-export/1';
const ANCHOR_FORMAT = 'rfr-audit-anchor/1';
const GENESIS_HASH = '0'.repeat(64);

// The same canonical encoding the server hashes (lib/shared/canonical-json.ts): keys sorted by UTF-16
// code units, no whitespace, undefined members dropped, -0 written as 0.
function canonicalJson(value) {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError('non-finite number');
      return JSON.stringify(Object.is(value, -0) ? 0 : value);
    case 'string':
      return JSON.stringify(value);
    case 'object':
      if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
      return `{${Object.keys(value)
        .filter((key) => value[key] !== undefined)
        .sort()
        .map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`)
        .join(',')}}`;
    default:
      throw new TypeError(`${typeof value} cannot be canonicalised`);
  }
}

function hashEvent(event, payload) {
  const canonical = canonicalJson({
    sequence: event.sequence,
    prevHash: event.prevHash,
    actorId: event.actorId,
    actorRole: event.actorRole,
    action: event.action,
    outcome: event.outcome,
    targetType: event.targetType,
    targetId: event.targetId,
    payload,
    createdAt: event.createdAt,
  });
  return createHash('sha256').update(canonical).digest('hex');
}

/** The first problem in the export, or null; plus what was checked. */
export function verifyAuditExport(data, options = {}) {
  const notes = [];
  if (data?.format !== FORMAT || !Array.isArray(data.events)) return { ok: false, reason: `not an ${FORMAT} file`, notes };
  const events = data.events;
  let previous = null;
  let gaps = 0;
  for (const [index, event] of events.entries()) {
    const label = `event ${event.sequence ?? `#${index + 1}`}`;
    if (typeof event.sequence !== 'string' || !/^\d+$/.test(event.sequence)) return { ok: false, at: label, reason: 'has no valid sequence number', notes };
    const sequence = BigInt(event.sequence);
    let payload;
    try {
      payload = JSON.parse(event.canonicalPayload);
    } catch {
      return { ok: false, at: label, reason: 'canonicalPayload is not JSON', notes };
    }
    if (canonicalJson(payload) !== event.canonicalPayload) return { ok: false, at: label, reason: 'canonicalPayload is not in canonical form', notes };
    if (canonicalJson(event.payload) !== event.canonicalPayload) return { ok: false, at: label, reason: 'payload differs from the canonical payload that was hashed (the record was edited)', notes };
    if (hashEvent(event, payload) !== event.hash) return { ok: false, at: label, reason: 'content does not match its hash (the record was edited)', notes };
    if (previous) {
      const before = BigInt(previous.sequence);
      if (sequence <= before) return { ok: false, at: label, reason: `comes after event ${previous.sequence}: out of order or repeated`, notes };
      if (sequence === before + 1n) {
        if (event.prevHash !== previous.hash) return { ok: false, at: label, reason: `previous-hash does not match the hash of event ${previous.sequence}`, notes };
      } else if (data.isComplete) {
        return { ok: false, at: `event ${before + 1n}`, reason: `is missing (the export jumps from event ${previous.sequence} to ${event.sequence})`, notes };
      } else {
        gaps += 1;
      }
    } else if (sequence === 1n && event.prevHash !== GENESIS_HASH) {
      return { ok: false, at: label, reason: 'is the first event but does not link to the genesis hash', notes };
    } else if (sequence !== 1n) {
      notes.push(`the export starts at event ${event.sequence}: earlier events are ${data.isComplete ? 'pruned' : 'not included'}, so its first link is taken on trust`);
    }
    previous = event;
  }
  if (gaps) notes.push(`${gaps} gap(s) between events: expected, the export is filtered`);

  const checkpoint = data.checkpoint;
  if (checkpoint) {
    const pem = options.publicKeyPem ?? data.publicKeyPem;
    if (!pem) return { ok: false, at: 'checkpoint', reason: 'has no public key to verify it with', notes };
    if (!options.publicKeyPem) notes.push('the checkpoint was verified with the key inside the export; pass --public-key with an independent copy to rule out a re-signed file');
    const key = createPublicKey(pem);
    const keyId = createHash('sha256').update(key.export({ type: 'spki', format: 'der' })).digest('hex').slice(0, 16);
    if (checkpoint.keyId !== keyId) return { ok: false, at: 'checkpoint', reason: `was signed with key ${checkpoint.keyId}, not with the given key ${keyId}`, notes };
    const message = Buffer.from(`${ANCHOR_FORMAT}\n${checkpoint.sequence}\n${checkpoint.hash}\n${checkpoint.time}`, 'utf8');
    if (!verify(null, message, key, Buffer.from(String(checkpoint.signature), 'base64'))) return { ok: false, at: 'checkpoint', reason: 'signature does not match', notes };
    const vouched = events.find((event) => event.sequence === checkpoint.sequence);
    if (vouched && vouched.hash !== checkpoint.hash) return { ok: false, at: `event ${checkpoint.sequence}`, reason: `hash differs from the checkpoint signed at ${checkpoint.time} (the chain was rewritten)`, notes };
    const last = events.at(-1);
    if (data.isComplete && (!last || BigInt(last.sequence) < BigInt(checkpoint.sequence))) {
      return { ok: false, at: `event ${last ? BigInt(last.sequence) + 1n : 1n}`, reason: `and after are missing: the checkpoint signed at ${checkpoint.time} vouches for event ${checkpoint.sequence}`, notes };
    }
    notes.push(`checkpoint of ${checkpoint.time} (event ${checkpoint.sequence}) verified${vouched ? ' and matched' : ''}`);
  } else {
    notes.push('the export carries no signed checkpoint: deleted newest events could not be detected');
  }
  return { ok: true, events: events.length, notes };
}

function main(argv) {
  const usage = 'usage: node verify-audit-export.mjs EXPORT.json [--public-key KEY.pem]';
  let parsed;
  try {
    // Strict: an unknown or misspelt flag is refused, never taken for a file name or ignored.
    parsed = parseArgs({ args: argv.slice(2), options: { 'public-key': { type: 'string' } }, strict: true, allowPositionals: true });
  } catch (error) {
    console.error(`verify-audit-export: ${error.message.split(/\.\s|\n/)[0]}`);
    console.error(usage);
    return 2;
  }
  const keyFile = parsed.values['public-key'];
  const files = parsed.positionals;
  if (files.length !== 1) {
    console.error(`verify-audit-export: one export file expected, got ${files.length}`);
    console.error(usage);
    return 2;
  }
  let data;
  let publicKeyPem;
  try {
    data = JSON.parse(readFileSync(files[0], 'utf8'));
    if (keyFile) publicKeyPem = readFileSync(keyFile, 'utf8');
  } catch (error) {
    console.error(`cannot read the export: ${error.message}`);
    return 2;
  }
  const result = verifyAuditExport(data, { publicKeyPem });
  for (const note of result.notes) console.log(`note: ${note}`);
  if (!result.ok) {
    console.error(`audit export BROKEN${result.at ? ` at ${result.at}` : ''}: ${result.reason}`);
    return 1;
  }
  console.log(`audit export intact: ${result.events} events${data.isComplete ? ' (complete)' : ' (filtered)'}`);
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) process.exitCode = main(process.argv);
