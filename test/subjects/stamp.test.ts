/** Stamping a lab binary: one static per binary, found exactly once, values written and read back. */
import { describe, expect, it } from 'vitest';
import { readStamp, stamped, STAMP_MAGIC, STAMP_VALUE_BYTES } from '../../harness/subjects/stamp.ts';

const binary = (copies = 1) => Buffer.concat([Buffer.from('ELF....'), ...Array.from({ length: copies }, () => Buffer.concat([STAMP_MAGIC, Buffer.alloc(STAMP_VALUE_BYTES), Buffer.from('tail')]))]);

describe('lab stamps', () => {
  it('writes key=value pairs into the value bytes and reads them back; the rest of the file is unchanged', () => {
    const b = binary();
    const out = stamped(b, { profile: '3.112.0', strategy: 'none' }, 'layer');
    expect(out.length).toBe(b.length);
    expect(readStamp(out)).toEqual({ profile: '3.112.0', strategy: 'none' });
    expect(readStamp(b)).toEqual({});
    expect(out.subarray(0, 7)).toEqual(b.subarray(0, 7));
    expect(out.subarray(-4).toString()).toBe('tail');
    // Restamping replaces, it does not append.
    expect(readStamp(stamped(out, { version: '3.111.0' }, 'layer'))).toEqual({ version: '3.111.0' });
  });

  it('refuses a binary with no stamp, or two, in one line naming it', () => {
    expect(() => stamped(Buffer.from('no stamp here'), { version: '1' }, '/x/mirrord-lab')).toThrow('/x/mirrord-lab has no lab stamp: it is not a lab build of this version (rebuild with `npx mirrord-regress lab build`)');
    expect(() => stamped(binary(2), { version: '1' }, '/x/mirrord-lab')).toThrow('/x/mirrord-lab has more than one lab stamp');
  });
});
