/**
 * A small tar reader, enough for what Docker's archive endpoint returns for one path: ustar headers, with
 * pax ('x') and GNU long-name ('L') records in front of an entry. It streams the one file asked for.
 */

const BLOCK = 512;

export interface TarFile {
  name: string;
  size: number;
  /** The file's bytes, streamed; must be consumed before anything else is read. */
  body: AsyncIterable<Buffer>;
}

export class TarError extends Error {}

/** Pulls exact byte counts out of a chunked stream. */
class ByteReader {
  private buffered: Buffer[] = [];
  private length = 0;
  private readonly it: AsyncIterator<Buffer | Uint8Array>;

  constructor(source: AsyncIterable<Buffer | Uint8Array>) {
    this.it = source[Symbol.asyncIterator]();
  }

  /** Up to `max` bytes (fewer only at the end of the stream, then an empty buffer). */
  async some(max: number): Promise<Buffer> {
    if (this.length === 0) {
      const r = await this.it.next();
      if (r.done) return Buffer.alloc(0);
      const chunk = Buffer.isBuffer(r.value) ? r.value : Buffer.from(r.value.buffer, r.value.byteOffset, r.value.byteLength);
      this.buffered.push(chunk);
      this.length += chunk.length;
    }
    const first = this.buffered[0]!;
    const take = first.subarray(0, Math.min(max, first.length));
    if (take.length === first.length) this.buffered.shift();
    else this.buffered[0] = first.subarray(take.length);
    this.length -= take.length;
    return take;
  }

  /** `n` bytes, fewer at the end of the stream, undefined when it had already ended. */
  async exactly(n: number): Promise<Buffer | undefined> {
    const parts: Buffer[] = [];
    let got = 0;
    while (got < n) {
      const part = await this.some(n - got);
      if (part.length === 0) return got === 0 ? undefined : Buffer.concat(parts);
      parts.push(part);
      got += part.length;
    }
    return Buffer.concat(parts);
  }

  /** Drops `n` bytes (an entry that is not wanted, padding). */
  async skip(n: number): Promise<void> {
    for (let left = n; left > 0; ) {
      const part = await this.some(left);
      if (part.length === 0) throw new TarError('the archive ends inside an entry');
      left -= part.length;
    }
  }

  /** Lets the source go (Docker's stream) when the reader stops early. */
  async close(): Promise<void> {
    await this.it.return?.();
  }
}

const text = (b: Buffer, at: number, len: number): string => {
  const field = b.subarray(at, at + len);
  const end = field.indexOf(0);
  return field.subarray(0, end === -1 ? len : end).toString('utf8');
};

/** Sizes are octal text, or base-256 with the high bit set (files over 8 GiB). */
function sizeField(b: Buffer): number {
  const field = b.subarray(124, 136);
  if (field[0]! & 0x80) {
    let n = field[0]! & 0x7f;
    for (let i = 1; i < field.length; i++) n = n * 256 + field[i]!;
    return n;
  }
  const digits = text(b, 124, 12).trim();
  if (!/^[0-7]*$/.test(digits)) throw new TarError(`bad size field "${digits}"`);
  return digits === '' ? 0 : parseInt(digits, 8);
}

/** The header's own checksum, to tell an archive from anything else. */
function checksumOk(b: Buffer): boolean {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : b[i]!;
  return parseInt(text(b, 148, 8).trim(), 8) === sum;
}

/** `len key=value\n` records. */
function paxRecords(data: Buffer): Map<string, string> {
  const out = new Map<string, string>();
  for (let at = 0; at < data.length; ) {
    const space = data.indexOf(0x20, at);
    const len = parseInt(data.subarray(at, space).toString(), 10);
    if (space === -1 || !(len > 0)) break;
    const record = data.subarray(space + 1, at + len - 1).toString('utf8');
    const eq = record.indexOf('=');
    if (eq > 0) out.set(record.slice(0, eq), record.slice(eq + 1));
    at += len;
  }
  return out;
}

const padding = (size: number) => (BLOCK - (size % BLOCK)) % BLOCK;

// Why `consume`: the archive is a stream, so the file must be read while the reader is positioned on it.
/** Finds the regular file `wanted` (a name inside the archive) and hands it to `consume`; throws TarError when absent or not a regular file. */
export async function withTarFile<T>(source: AsyncIterable<Buffer | Uint8Array>, wanted: string, consume: (file: TarFile) => Promise<T>): Promise<T> {
  const reader = new ByteReader(source);
  try {
    let longName: string | undefined;
    let pax = new Map<string, string>();
    for (;;) {
      const header = await reader.exactly(BLOCK);
      if (!header || header.every((x) => x === 0)) throw new TarError(`the archive has no ${wanted}`);
      if (header.length < BLOCK) throw new TarError('the archive ends inside a header');
      if (!checksumOk(header)) throw new TarError('a header checksum does not match (not a tar archive, or damaged)');
      const type = String.fromCharCode(header[156]!);
      const size = Number(pax.get('size') ?? sizeField(header));
      if (type === 'x' || type === 'L' || type === 'g') {
        const data = (await reader.exactly(size)) ?? Buffer.alloc(0);
        if (data.length < size) throw new TarError('the archive ends inside an entry');
        await reader.skip(padding(size));
        if (type === 'x') pax = paxRecords(data);
        if (type === 'L') longName = data.toString('utf8').replace(/\0+$/, '');
        continue;
      }
      const prefix = text(header, 345, 155);
      const name = (pax.get('path') ?? longName ?? (prefix ? `${prefix}/${text(header, 0, 100)}` : text(header, 0, 100))).replace(/^\.?\//, '');
      pax = new Map();
      longName = undefined;
      const hasData = type === '0' || type === '\0' || type === '7';
      if (name === wanted) {
        if (!hasData) {
          const kind = type === '2' ? `a symbolic link to ${text(header, 157, 100)}` : type === '5' ? 'a directory' : type === '1' ? 'a hard link' : `an entry of type ${JSON.stringify(type)}`;
          throw new TarError(`${wanted} is ${kind}, not a regular file`);
        }
        const result = await consume({ name, size, body: body(reader, size) });
        return result;
      }
      if (hasData) await reader.skip(size + padding(size));
    }
  } finally {
    await reader.close();
  }
}

/** The entry's bytes, exactly `size` of them. */
async function* body(reader: ByteReader, size: number): AsyncGenerator<Buffer> {
  for (let left = size; left > 0; ) {
    const part = await reader.some(left);
    if (part.length === 0) throw new TarError('the archive ends inside the file');
    left -= part.length;
    yield part;
  }
}
