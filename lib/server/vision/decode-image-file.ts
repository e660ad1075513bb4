import 'server-only';
import sharp from 'sharp';
import { getConfig } from '@/lib/server/config';
import { type DecodedImageInfo, type DecodePolicy, defaultDecodePolicy, planWorkingSize } from '@/lib/vision/decode-policy';
import type { RgbImage } from '@/lib/vision/pixel-image';
import { readImageSize, sniffImage } from '@/lib/vision/sniff-image';
import { VisionError } from '@/lib/vision/vision-error';

export type DecodedImage = { image: RgbImage; info: DecodedImageInfo };

/** The decode policy with the server's configured pixel limit (MAX_IMAGE_PIXELS). */
export function serverDecodePolicy(): DecodePolicy {
  return { ...defaultDecodePolicy, maxInputPixels: getConfig().maxImagePixels };
}

/**
 * Decodes to 8-bit sRGB with EXIF orientation applied (a phone photo stored sideways is analysed upright,
 * as the investigator sees it). Huge images are reduced to the working size and the scale recorded, so
 * boxes can be mapped back to the original evidence.
 */
export async function decodeImageFile(bytes: Uint8Array, policy: DecodePolicy = serverDecodePolicy()): Promise<DecodedImage> {
  if (bytes.length === 0) throw new VisionError('EMPTY_IMAGE', 'The file is empty.');
  const sniffed = sniffImage(bytes);
  if (!sniffed) throw new VisionError('UNSUPPORTED_FORMAT', 'The file is not a supported image (JPEG, PNG, WebP, GIF, BMP, TIFF, AVIF).');
  if (sniffed.isAnimated && policy.animated === 'refuse') {
    throw new VisionError('ANIMATED_IMAGE', 'The file is animated; export the frame you want to analyse as a still image.', {
      format: sniffed.format,
    });
  }
  // The size the header declares is checked before libvips sees the file, and libvips is given the
  // same limit, so no decoder ever allocates for more pixels than the policy allows.
  const declared = readImageSize(bytes);
  if (declared) refuseAboveLimit(declared.width, declared.height, policy);
  const limitInputPixels = policy.maxInputPixels;
  let meta: sharp.Metadata;
  try {
    meta = await sharp(bytes, { limitInputPixels, animated: false }).metadata();
  } catch (error) {
    throw new VisionError('DECODE_FAILED', `The image could not be read: ${(error as Error).message}`, { format: sniffed.format });
  }
  const rawW = meta.width ?? 0;
  const rawH = meta.height ?? 0;
  if (rawW < 1 || rawH < 1) throw new VisionError('EMPTY_IMAGE', 'The image has no pixels.');
  refuseAboveLimit(rawW, rawH, policy);
  // EXIF orientations 5–8 swap width and height.
  const isTransposed = (meta.orientation ?? 1) >= 5;
  const width = isTransposed ? rawH : rawW;
  const height = isTransposed ? rawW : rawH;
  const working = planWorkingSize(width, height, policy.maxWorkingPixels);
  try {
    let pipeline = sharp(bytes, { limitInputPixels, animated: false, failOn: 'error' }).rotate();
    if (working.scale < 1) pipeline = pipeline.resize(working.width, working.height, { fit: 'fill', kernel: 'lanczos3' });
    const { data, info } = await pipeline
      .toColourspace('srgb')
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) throw new Error(`unexpected channel count ${info.channels}`);
    return {
      image: { width: info.width, height: info.height, channels: 3, data: new Uint8Array(data.buffer, data.byteOffset, data.length) },
      info: {
        format: sniffed.format,
        originalWidth: width,
        originalHeight: height,
        scale: info.width / width,
        isAnimated: sniffed.isAnimated,
      },
    };
  } catch (error) {
    if (error instanceof VisionError) throw error;
    // The decoder's own words ("VipsJpeg: premature end of input file") are kept for whoever
    // investigates, after a sentence the person uploading can act on.
    throw new VisionError('DECODE_FAILED', `The image could not be decoded: the file is damaged or incomplete (${(error as Error).message.trim()}).`, { format: sniffed.format });
  }
}

function refuseAboveLimit(width: number, height: number, policy: DecodePolicy): void {
  if (width * height <= policy.maxInputPixels) return;
  throw new VisionError(
    'IMAGE_TOO_LARGE',
    `The image is ${width}×${height} (${Math.round((width * height) / 1e6)} megapixels); images above ${Math.round(policy.maxInputPixels / 1e6)} megapixels are refused.`,
    { width, height },
  );
}
