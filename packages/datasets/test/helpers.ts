import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Builds IDX bytes: header for `dims` and `type` code, then `body`. */
export function idxBytes(code: number, dims: number[], body: Uint8Array): Uint8Array {
  const header = new Uint8Array(4 + 4 * dims.length);
  const view = new DataView(header.buffer);
  header[2] = code;
  header[3] = dims.length;
  for (const [k, d] of dims.entries()) view.setUint32(4 + 4 * k, d, false);
  const out = new Uint8Array(header.length + body.length);
  out.set(header);
  out.set(body, header.length);
  return out;
}

export type Route = (path: string, res: import('node:http').ServerResponse) => void;

/** A tiny HTTP server on 127.0.0.1 for download tests; stops with `close()`. */
export async function serve(
  route: Route,
): Promise<{ url: string; close: () => Promise<void>; hits: string[] }> {
  const hits: string[] = [];
  const server: Server = createServer((req, res) => {
    hits.push(req.url ?? '');
    route(req.url ?? '', res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    hits,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
