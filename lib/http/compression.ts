import { randomBytes } from 'node:crypto';
import * as zlib from 'node:zlib';

const {
  brotliCompressSync,
  brotliDecompressSync,
  constants,
  createBrotliCompress,
  deflateRawSync,
  gzipSync,
} = zlib;

export type Encoding = 'br' | 'gzip' | 'identity';

export const DEFAULT_COMPRESSION_MIN_BYTES = 1024;

const GZIP_LEVEL = 6;

/** The brotli parameters every body is compressed with, spliced or whole. */
function brotliParams(sizeHint: number): zlib.BrotliOptions {
  return {
    params: {
      [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
      [constants.BROTLI_PARAM_QUALITY]: 5,
      [constants.BROTLI_PARAM_SIZE_HINT]: sizeHint,
    },
  };
}

const QVALUE = /^q=(0(\.\d{0,3})?|1(\.0{0,3})?)$/i;

/** Codings and their weights from an Accept-Encoding value; members with an invalid weight are dropped. */
function parseAcceptEncoding(header: string): Map<string, number> {
  const weights = new Map<string, number>();
  for (const member of header.split(',')) {
    const [rawCoding = '', ...params] = member.split(';').map((part) => part.trim());
    const coding = rawCoding.toLowerCase();
    if (!coding) continue;
    let weight = 1;
    let valid = true;
    for (const param of params) {
      if (!/^q=/i.test(param)) continue;
      if (!QVALUE.test(param)) valid = false;
      else weight = Number(param.slice(2));
    }
    if (valid && !weights.has(coding)) weights.set(coding, weight);
  }
  return weights;
}

/**
 * Picks the response coding: the highest q-value among br and gzip (br first on ties), q=0 refusing a
 * coding; `*` stands for gzip only, since clients sending it rarely mean brotli. Absent → identity.
 */
export function negotiateEncoding(acceptEncoding: string | undefined): Encoding {
  if (!acceptEncoding?.trim()) return 'identity';
  const weights = parseAcceptEncoding(acceptEncoding);
  const any = weights.get('*');
  const br = weights.get('br') ?? 0;
  const gzip = weights.get('gzip') ?? weights.get('x-gzip') ?? any ?? 0;
  const best = Math.max(br, gzip);
  if (best <= 0) return 'identity';
  // Identity only wins when the client explicitly prefers it over every compressed coding.
  const identity = weights.get('identity');
  if (identity !== undefined && identity > best) return 'identity';
  return br >= gzip ? 'br' : 'gzip';
}

/**
 * Compresses a response body synchronously (Lambda bodies are small). Bodies under `minBytes`, identity,
 * and bodies that would not get smaller are returned as they are, marked identity.
 */
export function compressBody(
  body: Buffer | string,
  encoding: Encoding,
  minBytes: number = DEFAULT_COMPRESSION_MIN_BYTES,
): { body: Buffer; encoding: Encoding } {
  const input = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  if (encoding === 'identity' || input.length < minBytes) return { body: input, encoding: 'identity' };
  const compressed =
    encoding === 'br'
      ? brotliCompressSync(input, brotliParams(input.length))
      : gzipSync(input, { level: GZIP_LEVEL });
  if (compressed.length >= input.length) return { body: input, encoding: 'identity' };
  return { body: compressed, encoding };
}

/**
 * The part of a body that is the same bytes on every answer that reuses it (a cached page's rows), while
 * what comes before (`head`) and after (`tail`) it differs per answer (request id, timings, cursors). From
 * its second use on, its compressed forms are built once and each answer is spliced around them, so a cache
 * hit neither serialises nor compresses the rows again.
 */
export class ReusedText {
  readonly text: string;
  #bytes: Buffer | undefined;
  #uses = 0;
  /**
   * Brotli forms by the head's length and last bytes (a form fits heads of one length and ending); null:
   * none fits, `building`: on its way (answers meanwhile are compressed whole).
   */
  readonly #brotli = new Map<string, BrotliForm | null | 'building'>();
  /** Raw deflate of the bytes, sync-flushed (byte-aligned, not final); null: not available. */
  #deflate: Buffer | null | undefined;

  constructor(text: string) {
    this.text = text;
  }

  get bytes(): Buffer {
    this.#bytes ??= Buffer.from(this.text, 'utf8');
    return this.#bytes;
  }

  /** Counts one more answer built on this text. */
  use(): this {
    this.#uses += 1;
    return this;
  }

  get reused(): boolean {
    return this.#uses > 1;
  }

  /** The brotli form for this head, if built; the first ask starts building it. */
  brotliFor(head: Buffer): BrotliForm | null {
    const tailLength = Math.min(head.length, HEAD_ENDING_BYTES);
    const ending = head.subarray(head.length - tailLength);
    const key = `${head.length}:${ending.toString('latin1')}`;
    const form = this.#brotli.get(key);
    if (form !== undefined) return form === 'building' ? null : form;
    if (this.#brotli.size >= MAX_BROTLI_FORMS) this.#brotli.clear();
    this.#brotli.set(key, 'building');
    const built = buildBrotliForm(head.length, ending, this.bytes).then((done) => {
      if (this.#brotli.get(key) === 'building') this.#brotli.set(key, done);
    });
    building.add(built);
    void built.finally(() => building.delete(built));
    return null;
  }

  deflate(): Buffer | null {
    if (this.#deflate === undefined) {
      this.#deflate =
        typeof zlib.crc32 === 'function'
          ? deflateRawSync(this.bytes, { level: GZIP_LEVEL, finishFlush: constants.Z_SYNC_FLUSH })
          : null;
    }
    return this.#deflate;
  }
}

/** A body as three parts, `head + fixed.text + tail`, of which only `fixed` is the same on every answer. */
export interface BodyParts {
  head: string;
  fixed: ReusedText;
  tail: string;
}

/**
 * Compresses `head + fixed + tail` as `compressBody` would decide (threshold, identity when no smaller). While
 * `fixed` has not been reused that is `compressBody` itself; once reused, the answer is spliced from the
 * fixed part's stored compressed form and the per-answer head and tail stored uncompressed: a valid stream
 * of the same coding, decoding to the very same bytes (slightly larger than a whole compression: the head and
 * tail are not compressed).
 */
export function compressParts(
  parts: BodyParts,
  encoding: Encoding,
  minBytes: number = DEFAULT_COMPRESSION_MIN_BYTES,
): { body: Buffer; encoding: Encoding } {
  const whole = () => compressBody(parts.head + parts.fixed.text + parts.tail, encoding, minBytes);
  if (encoding === 'identity' || !parts.fixed.reused) return whole();
  const head = Buffer.from(parts.head, 'utf8');
  const tail = Buffer.from(parts.tail, 'utf8');
  const fixed = parts.fixed.bytes;
  const length = head.length + fixed.length + tail.length;
  if (length < minBytes) return whole();
  let body: Buffer | undefined;
  if (encoding === 'br') {
    const form = tail.length < MAX_META_BLOCK_BYTES ? parts.fixed.brotliFor(head) : null;
    if (form) {
      const chunks = [form.lead, head, form.fixed];
      if (tail.length > 0) chunks.push(brotliUncompressedMetaBlock(tail));
      chunks.push(form.end);
      body = Buffer.concat(chunks);
    }
  } else {
    const deflated = parts.fixed.deflate();
    if (deflated) {
      const crc = zlib.crc32(tail, zlib.crc32(fixed, zlib.crc32(head)));
      const trailer = Buffer.allocUnsafe(8);
      trailer.writeUInt32LE(crc >>> 0, 0);
      trailer.writeUInt32LE(length % 2 ** 32, 4);
      body = Buffer.concat([
        GZIP_HEADER,
        ...storedBlocks(head, false),
        deflated,
        ...storedBlocks(tail, true),
        trailer,
      ]);
    }
  }
  if (!body) return whole();
  if (body.length >= length) return { body: Buffer.concat([head, fixed, tail]), encoding: 'identity' };
  return { body, encoding };
}

/**
 * A fixed part's brotli stream, cut where a head of one length goes: `lead` (the stream header and the
 * uncompressed meta-block header of the head), then the head's bytes, then `fixed` (the fixed part's
 * meta-blocks, flushed to a byte boundary), then optional uncompressed meta-blocks (the tail), then `end`.
 */
interface BrotliForm {
  lead: Buffer;
  fixed: Buffer;
  end: Buffer;
}

/** How many of a head's last bytes a brotli form was built with (they may be back-referenced, so must match). */
const HEAD_ENDING_BYTES = 16;
const MAX_BROTLI_FORMS = 4;
/** The most bytes one brotli meta-block holds (MLEN is at most 24 bits). */
const MAX_META_BLOCK_BYTES = 1 << 24;

/** The gzip member header Node writes (no name, no mtime, OS unix), for spliced members. */
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x03]);

/** Brotli forms being built; `compressionIdle()` waits for them. */
const building = new Set<Promise<unknown>>();

/** Resolves when every brotli form started so far is built (or found not to fit). */
export async function compressionIdle(): Promise<void> {
  while (building.size > 0) await Promise.all([...building]);
}

/** A brotli encoder fed `bytes` then flushed to a byte boundary: what it wrote for them. */
function flushed(engine: zlib.BrotliCompress, output: Buffer[], bytes: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    engine.write(bytes, (error) => {
      if (error) reject(error);
    });
    engine.flush(constants.BROTLI_OPERATION_FLUSH, () => resolve(Buffer.concat(output.splice(0))));
  });
}

/**
 * Builds the brotli form for heads of `headLength` bytes ending in `ending`. The encoder is given, in place
 * of the head, random bytes with that ending, flushed on their own: random bytes do not compress, so the
 * encoder stores them as one uncompressed meta-block (which leaves the decoder's state as it was, whatever
 * the bytes), and the fixed part is then encoded at its true position. No match of the fixed part can reach
 * into the random bytes, which a decode with every random byte changed proves; matches into the ending are
 * right for any head with that ending. Null when the encoder did not cut the stream so (then each answer is
 * compressed whole). Built on the thread pool, as the encoder's flush is asynchronous.
 */
async function buildBrotliForm(
  headLength: number,
  ending: Buffer,
  fixed: Buffer,
): Promise<BrotliForm | null> {
  const engine = createBrotliCompress(brotliParams(headLength + fixed.length));
  const output: Buffer[] = [];
  engine.on('data', (chunk: Buffer) => output.push(chunk));
  // A failure rejects the write below; without a listener it would also be thrown from the emitter.
  engine.on('error', () => undefined);
  try {
    const stand = Buffer.concat([randomBytes(headLength - ending.length), ending]);
    const first = headLength > 0 ? await flushed(engine, output, stand) : Buffer.alloc(0);
    if (!first.subarray(first.length - headLength).equals(stand)) return null;
    const form = {
      lead: first.subarray(0, first.length - headLength),
      fixed: await flushed(engine, output, fixed),
      end: BROTLI_LAST_EMPTY_META_BLOCK,
    };
    const other = Buffer.from(stand);
    for (let i = 0; i < other.length - ending.length; i++) other[i] = other[i]! ^ 0xff;
    const decoded = brotliDecompressSync(Buffer.concat([form.lead, other, form.fixed, form.end]));
    return decoded.equals(Buffer.concat([other, fixed])) ? form : null;
  } catch {
    return null;
  } finally {
    engine.close();
  }
}

/** ISLAST 1, ISLASTEMPTY 1: the end of a brotli stream that stands at a byte boundary. */
const BROTLI_LAST_EMPTY_META_BLOCK = Buffer.from([0x03]);

/** RFC 7932 §9.2: a meta-block holding `bytes` as they are (ISLAST 0, MNIBBLES, MLEN-1, ISUNCOMPRESSED 1, padding). */
export function brotliUncompressedMetaBlock(bytes: Buffer): Buffer {
  const mlen = bytes.length - 1;
  if (mlen < 0 || mlen >= MAX_META_BLOCK_BYTES)
    throw new RangeError('an uncompressed meta-block holds 1 to 2^24 bytes');
  const nibbles = mlen < 1 << 16 ? 4 : mlen < 1 << 20 ? 5 : 6;
  const bits = 4 + 4 * nibbles;
  const header = ((nibbles - 4) << 1) + mlen * 8 + 2 ** (bits - 1);
  const out = Buffer.alloc(Math.ceil(bits / 8) + bytes.length);
  out.writeUIntLE(header, 0, Math.ceil(bits / 8));
  bytes.copy(out, Math.ceil(bits / 8));
  return out;
}

/** RFC 1951 §3.2.4 stored blocks (at a byte boundary) holding `bytes`; `final` ends the deflate stream. */
function storedBlocks(bytes: Buffer, final: boolean): Buffer[] {
  const blocks: Buffer[] = [];
  let offset = 0;
  do {
    const size = Math.min(0xffff, bytes.length - offset);
    const last = offset + size >= bytes.length;
    if (size === 0 && !(final && last)) break;
    const header = Buffer.allocUnsafe(5);
    header[0] = final && last ? 1 : 0;
    header.writeUInt16LE(size, 1);
    header.writeUInt16LE(~size & 0xffff, 3);
    blocks.push(header, bytes.subarray(offset, offset + size));
    offset += size;
  } while (offset < bytes.length);
  return blocks;
}
