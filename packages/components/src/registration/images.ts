/**
 * A photo taken with the camera ("Chụp ảnh") is 3–12 MB; on a rural 3G link that is minutes per photo. Before
 * storing, such a capture is decoded, scaled so its longest side is at most 1600 px and re-encoded as JPEG (~0.8),
 * which keeps a document legible at a tenth of the size; the form tells the citizen it did so (issue 9 §6).
 * A file the citizen chooses is evidence and is never passed through here: it is sent byte for byte and the
 * server records its SHA-256. A capture the browser cannot decode (HEIC on some phones) is kept unchanged and
 * left for the type check.
 */
export const MAX_IMAGE_SIDE = 1600;
export const JPEG_QUALITY = 0.8;

export interface PreparedCapture {
  blob: Blob;
  name: string;
  /** True when the bytes are a smaller copy, not the capture itself. */
  downscaled: boolean;
}

export async function prepareCapture(file: File): Promise<PreparedCapture> {
  const asIs = { blob: file, name: file.name, downscaled: false };
  if (!file.type.startsWith('image/') || typeof createImageBitmap !== 'function') return asIs;
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    return asIs;
  }
  try {
    const scale = Math.min(1, MAX_IMAGE_SIDE / Math.max(bitmap.width, bitmap.height));
    const canvas = document.createElement('canvas');
    canvas.width = Math.max(1, Math.round(bitmap.width * scale));
    canvas.height = Math.max(1, Math.round(bitmap.height * scale));
    const context = canvas.getContext('2d');
    if (!context) return asIs;
    context.fillStyle = '#fff'; // a transparent PNG would turn black as JPEG
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', JPEG_QUALITY));
    // Re-encoding a small, already-compressed image can make it larger: keep whichever is smaller.
    if (!blob || (scale === 1 && blob.size >= file.size && file.type === 'image/jpeg')) return asIs;
    return { blob, name: file.name.replace(/\.[^.]*$/u, '') + '.jpg', downscaled: true };
  } finally {
    bitmap.close();
  }
}
