/**
 * A small VCDIFF (RFC 3284) encoder: one window whose source segment is the whole base, COPY
 * from the base found by a hash of 4-byte blocks, RUN for repeated bytes, ADD for the rest. It
 * uses the default code table with explicit sizes (no instruction pairs), no secondary
 * compression and no checksum, which every RFC 3284 decoder (and `@ably/vcdiff-decoder`)
 * accepts. Made for message payloads of at most a few hundred KB.
 */

/** Bytes a block must match to be worth a COPY (a COPY costs 1 byte + 2 varints). */
const MIN_MATCH = 4;
/** A run of one byte this long is a RUN rather than part of an ADD. */
const MIN_RUN = 8;
/** Candidate positions tried per block: bounds the work on repetitive bases. */
const MAX_CANDIDATES = 8;

// Default code table (RFC 3284 §5.6): the entries whose size follows as a varint.
const RUN_SIZE0 = 0;
const ADD_SIZE0 = 1;
const COPY_SELF_SIZE0 = 19; // mode 0, VCD_SELF: the address is absolute, as a varint

/** Appends an RFC 3284 variable-length integer (base 128, most significant group first). */
function pushVarint(out: number[], value: number): void {
  const groups = [value & 0x7f];
  for (let v = Math.floor(value / 128); v > 0; v = Math.floor(v / 128)) groups.push(v & 0x7f);
  for (let i = groups.length - 1; i > 0; i--) out.push(groups[i]! | 0x80);
  out.push(groups[0]!);
}

/** A hash of the 4 bytes at `i`, reduced to `bits` bits (Fibonacci hashing). */
const blockHash = (b: Uint8Array, i: number, bits: number): number =>
  Math.imul((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!, 0x9e3779b1) >>>
  (32 - bits);

/**
 * Where each 4-byte block of the base occurs: `head[h]` is the latest position with hash h and
 * `previous[p]` the one before p (-1 ends a chain). Typed arrays, so indexing 64 KB is cheap.
 */
interface BlockIndex {
  bits: number;
  head: Int32Array;
  previous: Int32Array;
}

function indexBlocks(base: Uint8Array): BlockIndex {
  const bits = Math.max(8, Math.min(20, Math.ceil(Math.log2(base.length + 1))));
  const head = new Int32Array(1 << bits).fill(-1);
  const previous = new Int32Array(base.length);
  for (let i = 0; i + MIN_MATCH <= base.length; i++) {
    const h = blockHash(base, i, bits);
    previous[i] = head[h]!;
    head[h] = i;
  }
  return { bits, head, previous };
}

/** Encodes `target` as a VCDIFF delta against `base`. */
export function encodeVcdiff(base: Uint8Array, target: Uint8Array): Uint8Array {
  const index = indexBlocks(base);
  const data: number[] = [];
  const instructions: number[] = [];
  const addresses: number[] = [];
  let addFrom = 0; // start of the bytes not yet covered by an instruction

  const flushAdd = (to: number): void => {
    if (to <= addFrom) return;
    instructions.push(ADD_SIZE0);
    pushVarint(instructions, to - addFrom);
    for (let k = addFrom; k < to; k++) data.push(target[k]!);
  };

  let i = 0;
  while (i < target.length) {
    let bestLength = 0;
    let bestAt = 0;
    if (i + MIN_MATCH <= target.length) {
      let at = index.head[blockHash(target, i, index.bits)]!;
      for (let tries = 0; at >= 0 && tries < MAX_CANDIDATES; tries++) {
        let n = 0;
        while (at + n < base.length && i + n < target.length && base[at + n] === target[i + n]) n++;
        if (n > bestLength) {
          bestLength = n;
          bestAt = at;
        }
        at = index.previous[at]!;
      }
    }
    let run = 1;
    while (i + run < target.length && target[i + run] === target[i]) run++;
    // A long run of one byte is cheaper as RUN, and a repetitive base only offers short copies.
    if (bestLength >= MIN_MATCH && !(run >= MIN_RUN && run > bestLength)) {
      flushAdd(i);
      instructions.push(COPY_SELF_SIZE0);
      pushVarint(instructions, bestLength);
      pushVarint(addresses, bestAt);
      i += bestLength;
      addFrom = i;
      continue;
    }
    if (run >= MIN_RUN) {
      flushAdd(i);
      instructions.push(RUN_SIZE0);
      pushVarint(instructions, run);
      data.push(target[i]!);
      i += run;
      addFrom = i;
      continue;
    }
    i++;
  }
  flushAdd(target.length);

  // The delta encoding (RFC 3284 §4.3): target size, Delta_Indicator, section sizes, sections.
  const encoding: number[] = [];
  pushVarint(encoding, target.length);
  encoding.push(0);
  pushVarint(encoding, data.length);
  pushVarint(encoding, instructions.length);
  pushVarint(encoding, addresses.length);

  const header: number[] = [0xd6, 0xc3, 0xc4, 0x00, 0x00];
  // Win_Indicator VCD_SOURCE: the source segment is the whole base.
  header.push(0x01);
  pushVarint(header, base.length);
  pushVarint(header, 0);
  pushVarint(header, encoding.length + data.length + instructions.length + addresses.length);

  const out = new Uint8Array(
    header.length + encoding.length + data.length + instructions.length + addresses.length,
  );
  let at = 0;
  for (const part of [header, encoding, data, instructions, addresses]) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}
