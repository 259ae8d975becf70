import { DatasetFileError, isGzip } from './idx.js';

/**
 * The most bytes a dataset file may decompress to (256 MiB; MNIST's largest is 47 MB): a small
 * file that expands without bound (a gzip bomb) is refused instead of filling memory.
 */
export const MAX_DECOMPRESSED_BYTES = 256 * 1024 * 1024;

/** Decompresses gzip bytes with the platform's `DecompressionStream` (browsers, Node ≥ 18). */
export async function gunzipWeb(
  bytes: Uint8Array,
  file: string,
  maxBytes = MAX_DECOMPRESSED_BYTES,
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let total = 0;
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  try {
    reader = new Blob([bytes as Uint8Array<ArrayBuffer>])
      .stream()
      .pipeThrough(new DecompressionStream('gzip'))
      .getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel().catch(() => {});
        throw new DatasetFileError(file, `decompresses to more than ${maxBytes} bytes: not a dataset file`);
      }
      chunks.push(value);
    }
  } catch (error) {
    if (error instanceof DatasetFileError) throw error;
    throw new DatasetFileError(
      file,
      `not valid gzip data (${error instanceof Error ? error.message : String(error)}): the file is corrupt or truncated`,
    );
  }
  const out = new Uint8Array(total);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.byteLength;
  }
  return out;
}

/** Returns the bytes, decompressed when they are gzip. */
export async function maybeGunzip(
  bytes: Uint8Array,
  file: string,
  gunzip: (b: Uint8Array, f: string) => Promise<Uint8Array> = gunzipWeb,
): Promise<Uint8Array> {
  return isGzip(bytes) ? gunzip(bytes, file) : bytes;
}
