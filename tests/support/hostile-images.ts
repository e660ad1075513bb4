import { deflateSync } from 'node:zlib';
import sharp from 'sharp';

// Hostile and broken images for the attack suite, made in the test: nothing big is committed. Each is a
// few KB to a few hundred KB however large the image it declares.

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of bytes) crc = CRC_TABLE[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/**
 * A real decompression bomb: a valid 1-bit greyscale PNG of `width`×`height`, all black, whose
 * compressed data really inflates to every row (20 000 × 20 000 is 400 MP, 50 MB of rows, 8-bit RGB
 * 1.2 GB once decoded, in about 50 KB of file).
 */
export function pngBomb(width: number, height: number): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.writeUInt8(1, 8); // bit depth
  header.writeUInt8(0, 9); // greyscale
  const rowBytes = Math.ceil(width / 8) + 1; // the filter byte, then the pixels
  const rows = Buffer.alloc(rowBytes * height); // zero filter, zero pixels
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), pngChunk('IHDR', header), pngChunk('IDAT', deflateSync(rows, { level: 9 })), pngChunk('IEND', Buffer.alloc(0))]);
}

/** A PNG that only declares its size: a header, no pixel data worth the name. */
export function pngDeclaring(width: number, height: number): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.writeUInt8(8, 8);
  header.writeUInt8(2, 9);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), pngChunk('IHDR', header), pngChunk('IDAT', deflateSync(Buffer.alloc(64))), pngChunk('IEND', Buffer.alloc(0))]);
}

/** A noisy photograph-like JPEG (noise compresses badly, so truncating it cuts real scan data). */
export async function noisyJpeg(width = 320, height = 240): Promise<Buffer> {
  let seed = 7;
  const pixels = Buffer.alloc(width * height * 3);
  for (let index = 0; index < pixels.length; index += 1) pixels[index] = (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
  return sharp(pixels, { raw: { width, height, channels: 3 } }).jpeg({ quality: 90 }).toBuffer();
}

/** JPEG magic bytes and a JFIF header, then garbage. */
export function corruptJpeg(): Buffer {
  let seed = 11;
  const garbage = Buffer.alloc(4000);
  for (let index = 0; index < garbage.length; index += 1) garbage[index] = (seed = (seed * 1103515245 + 12345) >>> 0) >>> 24;
  return Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01]), garbage]);
}

export async function truncatedJpeg(): Promise<Buffer> {
  const whole = await noisyJpeg();
  return whole.subarray(0, Math.floor(whole.length * 0.4));
}

/** The start of a ZIP archive (a local file header naming a .class file, as in a GIFAR). */
export const ZIP_SIGNATURE = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
function zipArchive(): Buffer {
  const name = Buffer.from('Exploit.class');
  const header = Buffer.alloc(30);
  ZIP_SIGNATURE.copy(header, 0);
  header.writeUInt16LE(20, 4);
  header.writeUInt16LE(name.length, 26);
  return Buffer.concat([header, name, Buffer.from('\xca\xfe\xba\xbe payload of the archive', 'latin1')]);
}

/** A valid JPEG with a ZIP archive appended: opens as either. */
export async function jpegZipPolyglot(): Promise<Buffer> {
  return Buffer.concat([await sharp({ create: { width: 120, height: 120, channels: 3, background: '#7a6a5a' } }).jpeg().toBuffer(), zipArchive()]);
}

/** GIFAR: a still GIF with a JAR (ZIP) appended. */
export async function gifar(): Promise<Buffer> {
  return Buffer.concat([await sharp({ create: { width: 120, height: 120, channels: 3, background: '#5a6a7a' } }).gif().toBuffer(), zipArchive()]);
}

/** PNG magic bytes in front of an HTML page with a script. */
export const pngHtmlPolyglot = () => Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('<html><script>alert(document.cookie)</script></html>')]);

export const svgWithScript = (size = 112) =>
  Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${size}" height="${size}"><script>alert(document.cookie)</script><rect width="9" height="9"/></svg>`);

export const onePixelPng = () => sharp({ create: { width: 1, height: 1, channels: 3, background: '#808080' } }).png().toBuffer();

/** 30 MB that starts like a JPEG. */
export function thirtyMegabytes(): Buffer {
  const body = Buffer.alloc(30 * 1024 * 1024, 0x41);
  body[0] = 0xff;
  body[1] = 0xd8;
  body[2] = 0xff;
  return body;
}
