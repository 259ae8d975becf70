import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** The ```ts code blocks of a README, in order. */
export function readmeExamples(readmePath: string): string[] {
  const text = readFileSync(readmePath, 'utf8');
  return [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!);
}

/**
 * Runs one README example as a module inside `packageDir` (so its imports resolve as a user's
 * would), capturing what it logs. Throws what the example throws.
 */
export async function runReadmeExample(packageDir: string, code: string, index: number): Promise<string[]> {
  const dir = join(packageDir, '.readme-examples');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `example-${index}.ts`);
  writeFileSync(file, `${code}\nexport {};\n`);
  const logs: string[] = [];
  const original = console.log;
  console.log = (...args: unknown[]) => {
    logs.push(args.map(String).join(' '));
  };
  try {
    await import(/* @vite-ignore */ `${pathToFileURL(file).href}?t=${Date.now()}`);
  } finally {
    console.log = original;
  }
  return logs;
}
