// Container sniffing from the first bytes, shared by Node and the worker: decides "not an image" before a
// decoder is involved, and finds animation, which both decoders would otherwise flatten silently.

export type ImageFormat = 'jpeg' | 'png' | 'webp' | 'gif' | 'bmp' | 'tiff' | 'avif' | 'heif';

export type SniffedImage = { format: ImageFormat; isAnimated: boolean };

function ascii(bytes: Uint8Array, start: number, length: number): string {
  let s = '';
  for (let i = start; i < start + length && i < bytes.length; i++) s += String.fromCharCode(bytes[i]!);
  return s;
}

export function sniffImage(bytes: Uint8Array): SniffedImage | null {
  if (bytes.length < 12) return null;
  if (bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return { format: 'jpeg', isAnimated: false };
  if (ascii(bytes, 1, 3) === 'PNG' && bytes[0] === 0x89) return { format: 'png', isAnimated: hasPngAnimation(bytes) };
  if (ascii(bytes, 0, 4) === 'RIFF' && ascii(bytes, 8, 4) === 'WEBP') return { format: 'webp', isAnimated: hasWebpAnimation(bytes) };
  if (ascii(bytes, 0, 4) === 'GIF8') return { format: 'gif', isAnimated: countGifFrames(bytes) > 1 };
  if (ascii(bytes, 0, 2) === 'BM') return { format: 'bmp', isAnimated: false };
  if (ascii(bytes, 0, 4) === 'II*\0' || ascii(bytes, 0, 4) === 'MM\0*') return { format: 'tiff', isAnimated: false };
  if (ascii(bytes, 4, 4) === 'ftyp') {
    const brand = ascii(bytes, 8, 4);
    if (brand === 'avif' || brand === 'avis') return { format: 'avif', isAnimated: brand === 'avis' };
    if (['heic', 'heix', 'mif1', 'msf1', 'heim', 'heis'].includes(brand)) return { format: 'heif', isAnimated: brand === 'msf1' };
  }
  return null;
}

function hasPngAnimation(bytes: Uint8Array): boolean {
  // acTL must precede IDAT in an APNG, so scanning chunk headers up to the first IDAT is enough.
  let offset = 8;
  while (offset + 8 <= bytes.length) {
    const length = ((bytes[offset]! << 24) | (bytes[offset + 1]! << 16) | (bytes[offset + 2]! << 8) | bytes[offset + 3]!) >>> 0;
    const type = ascii(bytes, offset + 4, 4);
    if (type === 'acTL') return true;
    if (type === 'IDAT' || type === 'IEND') return false;
    offset += 12 + length;
  }
  return false;
}

function hasWebpAnimation(bytes: Uint8Array): boolean {
  // Extended WebP: VP8X flags byte bit 1 marks animation.
  return ascii(bytes, 12, 4) === 'VP8X' && bytes.length > 20 && (bytes[20]! & 0x02) !== 0;
}

/** Counts GIF image descriptors by walking the block structure (stops early once two are seen). */
export function countGifFrames(bytes: Uint8Array): number {
  let offset = 13;
  const flags = bytes[10] ?? 0;
  if (flags & 0x80) offset += 3 * (1 << ((flags & 0x07) + 1));
  let frames = 0;
  const skipSubBlocks = () => {
    while (offset < bytes.length) {
      const size = bytes[offset]!;
      offset += 1;
      if (size === 0) return;
      offset += size;
    }
  };
  while (offset < bytes.length) {
    const marker = bytes[offset]!;
    if (marker === 0x3b) break;
    if (marker === 0x21) {
      offset += 2;
      skipSubBlocks();
    } else if (marker === 0x2c) {
      frames++;
      if (frames > 1) return frames;
      const localFlags = bytes[offset + 9] ?? 0;
      offset += 10;
      if (localFlags & 0x80) offset += 3 * (1 << ((localFlags & 0x07) + 1));
      offset += 1; // LZW minimum code size
      skipSubBlocks();
    } else {
      break;
    }
  }
  return frames;
}

/**
 * EXIF orientation (1–8) from a JPEG's APP1 segment; 1 when absent. The browser decoder applies it itself,
 * but the worker needs it beforehand to plan a reduced decode of a huge photo in the right shape.
 */
export function readJpegOrientation(bytes: Uint8Array): number {
  if (bytes[0] !== 0xff || bytes[1] !== 0xd8) return 1;
  let offset = 2;
  while (offset + 4 <= bytes.length) {
    if (bytes[offset] !== 0xff) return 1;
    const marker = bytes[offset + 1]!;
    const length = (bytes[offset + 2]! << 8) | bytes[offset + 3]!;
    if (marker === 0xda || marker === 0xd9) return 1; // image data starts: no EXIF before it
    if (marker === 0xe1 && ascii(bytes, offset + 4, 4) === 'Exif') {
      const tiff = offset + 10;
      const isLittle = ascii(bytes, tiff, 2) === 'II';
      const u16 = (at: number) => (isLittle ? bytes[at]! | (bytes[at + 1]! << 8) : (bytes[at]! << 8) | bytes[at + 1]!);
      const u32 = (at: number) => (isLittle ? u16(at) + u16(at + 2) * 65536 : u16(at) * 65536 + u16(at + 2));
      const ifd = tiff + u32(tiff + 4);
      const entries = u16(ifd);
      for (let i = 0; i < entries; i++) {
        const entry = ifd + 2 + i * 12;
        if (entry + 10 > bytes.length) return 1;
        if (u16(entry) === 0x0112) {
          const value = u16(entry + 8);
          return value >= 1 && value <= 8 ? value : 1;
        }
      }
      return 1;
    }
    offset += 2 + length;
  }
  return 1;
}

/** Stored width and height from the header, before decoding; null when the header is not understood. */
export function readImageSize(bytes: Uint8Array): { width: number; height: number } | null {
  const sniffed = sniffImage(bytes);
  if (!sniffed) return null;
  const be16 = (at: number) => (bytes[at]! << 8) | bytes[at + 1]!;
  const le16 = (at: number) => bytes[at]! | (bytes[at + 1]! << 8);
  const be32 = (at: number) => be16(at) * 65536 + be16(at + 2);
  switch (sniffed.format) {
    case 'png':
      // The size is IHDR's, which must come first; without it the bytes after the signature are not a size.
      return ascii(bytes, 12, 4) === 'IHDR' && bytes.length >= 24 ? { width: be32(16), height: be32(20) } : null;
    case 'gif':
      return { width: le16(6), height: le16(8) };
    case 'bmp':
      return { width: Math.abs(le16(18) + le16(20) * 65536), height: Math.abs((le16(22) + le16(24) * 65536) | 0) };
    case 'webp': {
      const chunk = ascii(bytes, 12, 4);
      if (chunk === 'VP8X') return { width: 1 + (bytes[24]! | (bytes[25]! << 8) | (bytes[26]! << 16)), height: 1 + (bytes[27]! | (bytes[28]! << 8) | (bytes[29]! << 16)) };
      if (chunk === 'VP8 ') return { width: le16(26) & 0x3fff, height: le16(28) & 0x3fff };
      if (chunk === 'VP8L') {
        const b = bytes.subarray(21, 25);
        return { width: 1 + (((b[1]! & 0x3f) << 8) | b[0]!), height: 1 + (((b[3]! & 0x0f) << 10) | (b[2]! << 2) | ((b[1]! & 0xc0) >> 6)) };
      }
      return null;
    }
    case 'jpeg': {
      let offset = 2;
      while (offset + 9 <= bytes.length) {
        if (bytes[offset] !== 0xff) return null;
        const marker = bytes[offset + 1]!;
        // SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC) carry the frame size.
        if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
          return { width: be16(offset + 7), height: be16(offset + 5) };
        }
        offset += 2 + be16(offset + 2);
      }
      return null;
    }
    default:
      return null;
  }
}
