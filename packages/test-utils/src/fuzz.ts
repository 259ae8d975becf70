/**
 * Property-based inputs for the fuzz tests of every reader of outside data (fast-check): bytes and
 * JSON as they are, or changed the way damaged and hostile files are.
 */
import fc from 'fast-check';

/** Bytes changed in a few places: overwritten, cut short, extended with junk. */
export function changedBytes(base: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Uint8Array> {
  return fc
    .tuple(
      base,
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
      fc.option(fc.nat(), { nil: undefined }),
      fc.uint8Array({ maxLength: 16 }),
    )
    .map(([bytes, edits, cut, tail]) => {
      const out = Uint8Array.from(bytes);
      for (const [at, v] of edits) if (out.length) out[at % out.length] = v;
      const kept = cut === undefined ? out : out.subarray(0, cut % (out.length + 1));
      return Uint8Array.from([...kept, ...tail]);
    });
}

/** Bytes as they are one time in five, else {@link changedBytes}. */
export function mutatedBytes(base: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Uint8Array> {
  return fc.oneof({ arbitrary: base, weight: 1 }, { arbitrary: changedBytes(base), weight: 4 });
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Every path into a JSON value (keys and indices). */
function paths(
  value: Json,
  at: (string | number)[] = [],
  out: (string | number)[][] = [],
): (string | number)[][] {
  out.push(at);
  if (Array.isArray(value)) for (const [k, v] of value.entries()) paths(v, [...at, k], out);
  else if (value !== null && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) paths(v, [...at, k], out);
  return out;
}

/** Numbers and strings that break parsers: huge, negative, fractional, not finite, paths out. */
const nasty: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>(
    -1,
    -7,
    0,
    0.5,
    1e9,
    2 ** 32,
    2 ** 53,
    -(2 ** 31),
    '',
    '..',
    '../../x',
    '/dev/zero',
    'NaN',
    null,
    true,
    [],
    {},
  ),
  fc.integer({ min: -1000, max: 1_000_000 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.string({ maxLength: 12 }),
);

/** A JSON value as it is one time in six, else with up to three of its parts replaced by arbitrary or nasty JSON, or deleted. */
export function mutatedJson(value: unknown): fc.Arbitrary<unknown> {
  const base = value as Json;
  const all = paths(base);
  const edit = fc.tuple(
    fc.nat(),
    fc.oneof(
      { arbitrary: fc.constant<'delete'>('delete'), weight: 1 },
      { arbitrary: nasty, weight: 3 },
      { arbitrary: fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>, weight: 2 },
    ),
  );
  const changed = fc.array(edit, { minLength: 1, maxLength: 3 }).map((edits) => {
    let copy = structuredClone(base);
    for (const [pick, replacement] of edits) {
      const path = all[pick % all.length]!;
      if (path.length === 0) {
        if (replacement !== 'delete') copy = replacement;
        continue;
      }
      let parent: Json = copy;
      for (const key of path.slice(0, -1)) {
        if (parent === null || typeof parent !== 'object') break;
        parent = (parent as Record<string | number, Json>)[key] as Json;
      }
      if (parent === null || typeof parent !== 'object') continue;
      const last = path.at(-1)!;
      if (replacement === 'delete') {
        if (Array.isArray(parent)) parent.splice(Number(last), 1);
        else delete (parent as Record<string, Json>)[last];
      } else (parent as Record<string | number, Json>)[last] = replacement;
    }
    return copy;
  });
  return fc.oneof(
    { arbitrary: fc.constant(structuredClone(base)), weight: 1 },
    { arbitrary: changed, weight: 5 },
  );
}

/** The text of a JSON value as it is, after {@link mutatedJson}, or with its bytes changed. */
export function mutatedJsonText(value: unknown): fc.Arbitrary<string> {
  const text = JSON.stringify(value);
  const bytes = new TextEncoder().encode(text);
  return fc.oneof(
    { arbitrary: mutatedJson(value).map((v) => JSON.stringify(v) ?? 'undefined'), weight: 4 },
    { arbitrary: changedBytes(fc.constant(bytes)).map((b) => new TextDecoder().decode(b)), weight: 1 },
    { arbitrary: fc.string({ maxLength: 40 }), weight: 1 },
  );
}
