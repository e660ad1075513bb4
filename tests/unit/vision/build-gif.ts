/** A minimal valid GIF of 1×1 frames, written by hand so tests need no encoder that supports animation. */
export function buildGif(frames: number): Uint8Array {
  const bytes: number[] = [...'GIF89a'].map((c) => c.charCodeAt(0));
  bytes.push(1, 0, 1, 0, 0x80, 0, 0); // 1×1, global colour table of 2 entries
  bytes.push(0, 0, 0, 255, 255, 255);
  bytes.push(0x21, 0xff, 11, ...[...'NETSCAPE2.0'].map((c) => c.charCodeAt(0)), 3, 1, 0, 0, 0); // loop forever
  for (let i = 0; i < frames; i++) {
    bytes.push(0x21, 0xf9, 4, 0, 10, 0, 0, 0); // graphic control extension, 100 ms
    bytes.push(0x2c, 0, 0, 0, 0, 1, 0, 1, 0, 0); // image descriptor
    bytes.push(2, 2, 0x44, 0x01, 0); // LZW: clear, index 0, end
  }
  bytes.push(0x3b);
  return new Uint8Array(bytes);
}
