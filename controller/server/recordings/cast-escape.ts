/**
 * The body of an asciicast "o" event from terminal output that is valid UTF-8, without
 * decoding it: JSON needs only the bytes below 0x20, `"` and `\` escaped, and none of them
 * can occur inside a multi-byte UTF-8 character, so every other byte is copied as it is.
 * The result is byte for byte what `JSON.stringify` of the decoded text gives, encoded as
 * UTF-8 (`\b \t \n \f \r \" \\` and `\u00XX` in lower case).
 *
 * A small WebAssembly module does it 16 bytes at a time (SIMD: one compare per kind of
 * byte, the block stored as it is when none needs escaping): about 0.05 CPU-s per 100 MB
 * of base64 output here, against 0.16–0.2 for `JSON.stringify` of the latin1 text (which
 * also needs three copies of it as strings, and their garbage). The module is assembled
 * below from its instructions (it is ~200 bytes; no toolchain needed). Where WebAssembly
 * SIMD is missing, a plain loop does the same work.
 *
 * `createJsonEscaper` runs in the recordings' thread from its source text, so it uses only
 * its parameter and globals.
 */

/** The part of the WebAssembly API used here (Node has it; the project's type libraries do not declare it). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
declare const WebAssembly: {
  validate(bytes: Uint8Array): boolean;
  Memory: new (descriptor: { initial: number }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { readonly exports: Record<string, unknown> };
};

export interface JsonEscaper {
  /**
   * `[` + `head` (ASCII) + the escaped `body` + `"]\n` in a view of the escaper's memory,
   * valid until its next call.
   */
  event(head: string, body: Uint8Array): Uint8Array;
  /** Whether the SIMD module is in use (else the plain loop). */
  readonly simd: boolean;
}

/** The escaper; `wasm` is {@link ESCAPE_WASM} (null: the plain loop). */
export function createJsonEscaper(wasm: Uint8Array | null): JsonEscaper {
  // 256 entries of 8 bytes: the escape's text (2 or 6 bytes), its length in the last byte; 0 when none.
  const TABLE_BYTES = 256 * 8;
  const INPUT = 4096;
  const table = new Uint8Array(TABLE_BYTES);
  const short: Record<number, string> = { 0x22: '\\"', 0x5c: '\\\\', 0x0a: '\\n', 0x0d: '\\r', 0x09: '\\t', 0x08: '\\b', 0x0c: '\\f' };
  for (let b = 0; b < 256; b++) {
    const text = short[b] ?? (b < 0x20 ? `\\u00${b.toString(16).padStart(2, '0')}` : '');
    for (let k = 0; k < text.length; k++) table[b * 8 + k] = text.charCodeAt(k);
    table[b * 8 + 7] = text.length;
  }
  const TAIL = [0x22, 0x5d, 0x0a]; // "]\n

  let memory: WasmMemory | null = null;
  let run: ((input: number, length: number, output: number) => number) | null = null;
  if (wasm && typeof WebAssembly === 'object' && WebAssembly.validate(wasm)) {
    memory = new WebAssembly.Memory({ initial: 32 });
    const instance = new WebAssembly.Instance(new WebAssembly.Module(wasm), { env: { memory } });
    run = instance.exports.escape as (input: number, length: number, output: number) => number;
  }
  let heap = memory ? new Uint8Array(memory.buffer) : new Uint8Array(64 * 1024);
  if (memory) heap.set(table, 0);

  /** Room for the input and its worst case (every byte 6), plus the 16 bytes a block store may pass the end. */
  const reserve = (head: number, length: number) => {
    const needed = INPUT + length + 16 + head + length * 6 + 3 + 16;
    if (needed <= heap.length) return;
    if (memory) {
      memory.grow(Math.ceil((needed - heap.length) / 65536));
      heap = new Uint8Array(memory.buffer);
    } else {
      heap = new Uint8Array(Math.max(needed, heap.length * 2));
    }
  };

  const loop = (body: Uint8Array, out: number): number => {
    const h = heap;
    let o = out;
    for (let i = 0; i < body.length; i++) {
      const b = body[i]!;
      const n = table[b * 8 + 7]!;
      if (n === 0) {
        h[o++] = b;
      } else {
        for (let k = 0; k < n; k++) h[o + k] = table[b * 8 + k]!;
        o += n;
      }
    }
    return o;
  };

  return {
    simd: run !== null,
    event(head, body) {
      reserve(head.length + 1, body.length);
      const output = INPUT + body.length + 16;
      let o = output;
      heap[o++] = 0x5b; // [
      for (let k = 0; k < head.length; k++) heap[o++] = head.charCodeAt(k);
      if (run) {
        heap.set(body, INPUT);
        o = run(INPUT, body.length, o);
      } else {
        o = loop(body, o);
      }
      for (const b of TAIL) heap[o++] = b;
      return heap.subarray(output, o);
    },
  };
}

/**
 * The WebAssembly module: memory imported as env.memory (the escape table at 0), one export
 * `escape(input, length, output) -> end of output`:
 *
 *   while input + 16 <= end:
 *     v = load 16 bytes; m = bitmask(v <u 0x20 | v == '"' | v == '\\'); store v at output
 *     if m == 0: input += 16, output += 16; continue
 *     k = ctz(m); input += k; output += k; then one byte as below
 *   one byte b: if it needs escaping, store the table's 8 bytes at output, output += length;
 *   else store b, output += 1
 *
 * Stores may write up to 16 bytes past the result's end (overwritten next, or unused).
 */
export const ESCAPE_WASM: Uint8Array = assemble();

function assemble(): Uint8Array {
  const uleb = (n: number): number[] => {
    const out: number[] = [];
    do {
      let b = n & 0x7f;
      n >>>= 7;
      if (n !== 0) b |= 0x80;
      out.push(b);
    } while (n !== 0);
    return out;
  };
  const sleb = (n: number): number[] => {
    const out: number[] = [];
    for (;;) {
      const b = n & 0x7f;
      n >>= 7;
      if ((n === 0 && (b & 0x40) === 0) || (n === -1 && (b & 0x40) !== 0)) return [...out, b];
      out.push(b | 0x80);
    }
  };
  const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
  const name = (text: string): number[] => vec([...text].map((ch) => [ch.charCodeAt(0)]));
  const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
  const I32 = 0x7f;
  const V128 = 0x7b;
  const simd = (op: number) => [0xfd, ...uleb(op)];
  const memarg = (offset = 0) => [0, ...uleb(offset)];
  const get = (i: number) => [0x20, i];
  const set = (i: number) => [0x21, i];
  const tee = (i: number) => [0x22, i];
  const i32 = (n: number) => [0x41, ...sleb(n)];
  const add = 0x6a;
  const splat = (n: number) => [...i32(n), ...simd(0x0f)];
  // Parameters 0 input, 1 length, 2 output; locals 3 end, 4 o, 5 v (v128), 6 m, 7 b.
  const [IN, LEN, OUT, END, O, V, M, B] = [0, 1, 2, 3, 4, 5, 6, 7];
  const code = [
    ...get(IN), ...get(LEN), add, ...set(END),
    ...get(OUT), ...set(O),
    0x02, 0x40, // block $done
    0x03, 0x40, // loop $top
    ...get(IN), ...i32(16), add, ...get(END), 0x4d, // input + 16 <= end
    0x04, 0x40, // if: a block of 16
    ...get(IN), ...simd(0x00), ...memarg(), ...tee(V),
    ...splat(0x20), ...simd(0x26), // i8x16.lt_u
    ...get(V), ...splat(0x22), ...simd(0x23), ...simd(0x50), // | i8x16.eq '"'
    ...get(V), ...splat(0x5c), ...simd(0x23), ...simd(0x50), // | i8x16.eq '\'
    ...simd(0x64), ...set(M), // i8x16.bitmask
    ...get(O), ...get(V), ...simd(0x0b), ...memarg(), // v128.store
    ...get(M), 0x45, // m == 0
    0x04, 0x40,
    ...get(IN), ...i32(16), add, ...set(IN), ...get(O), ...i32(16), add, ...set(O),
    0x0c, 2, // br $top
    0x0b,
    ...get(M), 0x68, ...set(M), // ctz
    ...get(IN), ...get(M), add, ...set(IN), ...get(O), ...get(M), add, ...set(O),
    0x05, // else: fewer than 16 left
    ...get(IN), ...get(END), 0x4f, 0x0d, 2, // input >= end: br $done
    0x0b,
    ...get(IN), 0x2d, ...memarg(), ...set(B), // b = load8_u
    ...get(IN), ...i32(1), add, ...set(IN),
    ...get(B), ...i32(0x20), 0x49, // b <u 0x20
    ...get(B), ...i32(0x22), 0x46, 0x72, // | b == '"'
    ...get(B), ...i32(0x5c), 0x46, 0x72, // | b == '\'
    0x04, 0x40,
    ...get(O), ...get(B), ...i32(3), 0x74, 0x29, ...memarg(), 0x37, ...memarg(), // i64.store(o, i64.load(b * 8))
    ...get(O), ...get(B), ...i32(3), 0x74, 0x2d, ...memarg(7), add, ...set(O), // o += load8_u(b * 8 + 7)
    0x05,
    ...get(O), ...get(B), 0x3a, ...memarg(), // store8
    ...get(O), ...i32(1), add, ...set(O),
    0x0b,
    0x0c, 0, // br $top
    0x0b, // end loop
    0x0b, // end block
    ...get(O),
    0x0b,
  ];
  const locals = vec([[...uleb(2), I32], [...uleb(1), V128], [...uleb(2), I32]]);
  const body = [...locals, ...code];
  return Uint8Array.from([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec([[0x60, ...vec([[I32], [I32], [I32]]), ...vec([[I32]])]])),
    ...section(2, vec([[...name('env'), ...name('memory'), 0x02, 0x00, ...uleb(1)]])),
    ...section(3, vec([[0]])),
    ...section(7, vec([[...name('escape'), 0x00, 0]])),
    ...section(10, vec([[...uleb(body.length), ...body]])),
  ]);
}
