import { DatasetFileError, isGzip } from './idx.js';

/** Decompresses gzip bytes with the platform's `DecompressionStream` (browsers, Node ≥ 18). */
export async function gunzipWeb(bytes: Uint8Array, file: string): Promise<Uint8Array> {
  try {
    const stream = new Blob([bytes as Uint8Array<ArrayBuffer>])
      .stream()
      .pipeThrough(new DecompressionStream('gzip'));
    return new Uint8Array(await new Response(stream).arrayBuffer());
  } catch (error) {
    throw new DatasetFileError(
      file,
      `not valid gzip data (${error instanceof Error ? error.message : String(error)}): the file is corrupt or truncated`,
    );
  }
}

/** Returns the bytes, decompressed when they are gzip. */
export async function maybeGunzip(
  bytes: Uint8Array,
  file: string,
  gunzip: (b: Uint8Array, f: string) => Promise<Uint8Array> = gunzipWeb,
): Promise<Uint8Array> {
  return isGzip(bytes) ? gunzip(bytes, file) : bytes;
}
