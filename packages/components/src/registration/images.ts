/**
 * Phone photos are 3–12 MB; on a rural 3G link that is minutes per photo. Before storing, a photo is decoded,
 * scaled so its longest side is at most 1600 px and re-encoded as JPEG (~0.8), which keeps a document legible
 * at a tenth of the size. PDFs are kept as they are. A photo the browser cannot decode (HEIC on some phones)
 * is kept unchanged and left for the type check.
 */
export const MAX_IMAGE_SIDE = 1600;
export const JPEG_QUALITY = 0.8;

export async function prepareFile(file: File): Promise<{ blob: Blob; name: string }> {
  if (!file.type.startsWith('image/') || typeof createImageBitmap !== 'function') return { blob: file, name: file.name };
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    return { blob: file, name: file.name };
  }
  try {
    const scale = Math.min(1, MAX_IMAGE_SIDE / Math.max(bitmap.width, bitmap.height));
    const canvas = document.createElement('canvas');
    canvas.width = Math.max(1, Math.round(bitmap.width * scale));
    canvas.height = Math.max(1, Math.round(bitmap.height * scale));
    const context = canvas.getContext('2d');
    if (!context) return { blob: file, name: file.name };
    context.fillStyle = '#fff'; // a transparent PNG would turn black as JPEG
    context.fillRect(0, 0, canvas.width, canvas.height);
    context.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', JPEG_QUALITY));
    // Re-encoding a small, already-compressed image can make it larger: keep whichever is smaller.
    if (!blob || (scale === 1 && blob.size >= file.size && file.type === 'image/jpeg')) return { blob: file, name: file.name };
    return { blob, name: file.name.replace(/\.[^.]*$/u, '') + '.jpg' };
  } finally {
    bitmap.close();
  }
}
