/**
 * The few fields of a Windows PE image that signing touches (Microsoft's "PE Format"
 * and "Windows Authenticode Portable Executable Signature Format"): the CheckSum of
 * the optional header, and the Certificate Table data directory (index 4), whose
 * "address" is a file offset, not an RVA. The Authenticode hash skips exactly these
 * two fields and the certificate table itself, so they can change without breaking
 * a signature. Everything here reads the first bytes of the file only.
 */

/** Bytes from the start of the file that hold every header read here (the PE header sits within the first KiB in practice). */
export const PE_HEADER_BYTES = 4096;
/** The certificate table is 8-byte aligned, as is each WIN_CERTIFICATE in it. */
export const CERT_ALIGNMENT = 8;
export const WIN_CERT_TYPE_PKCS_SIGNED_DATA = 0x0002;
export const WIN_CERT_REVISION_2_0 = 0x0200;

export interface PeLayout {
  /** File offset of the optional header's CheckSum (4 bytes). */
  readonly checksumOffset: number;
  /** File offset of the Certificate Table data directory entry: offset (4 bytes) then size (4 bytes). */
  readonly certDirectoryOffset: number;
  /** The certificate table's file offset and size; 0 and 0 when unsigned. */
  readonly certTableOffset: number;
  readonly certTableSize: number;
}

export class PeError extends Error {}

/** True when the bytes begin like a PE image ("MZ"). */
export function looksLikePe(head: Uint8Array): boolean {
  return head.length >= 2 && head[0] === 0x4d && head[1] === 0x5a;
}

/** Reads where the checksum and the certificate table are, from the file's first bytes. */
export function peLayout(head: Uint8Array): PeLayout {
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  if (!looksLikePe(head) || head.length < 0x40) throw new PeError('not an MZ image');
  const pe = view.getUint32(0x3c, true);
  if (pe + 24 + 2 > head.length) throw new PeError('PE header beyond the bytes read');
  if (view.getUint32(pe, true) !== 0x00004550) throw new PeError('no PE signature');
  const optional = pe + 24;
  const sizeOfOptional = view.getUint16(pe + 20, true);
  const magic = view.getUint16(optional, true);
  // PE32 keeps its data directories at 96 bytes into the optional header, PE32+ at 112.
  const directories = magic === 0x20b ? optional + 112 : magic === 0x10b ? optional + 96 : -1;
  if (directories < 0) throw new PeError('unknown optional header magic');
  const count = view.getUint32(directories - 4, true);
  const certDirectoryOffset = directories + 4 * 8;
  if (count < 5 || certDirectoryOffset + 8 > optional + sizeOfOptional || certDirectoryOffset + 8 > head.length) {
    throw new PeError('no certificate table directory');
  }
  return {
    checksumOffset: optional + 64,
    certDirectoryOffset,
    certTableOffset: view.getUint32(certDirectoryOffset, true),
    certTableSize: view.getUint32(certDirectoryOffset + 4, true),
  };
}

/**
 * The PE checksum, in two steps so that a file can be summed in pieces (a cached sum of
 * the unchanging part, then the bytes that change per download): `sumWords` over each
 * piece in file order (each piece starting at an even offset), `finishChecksum` with the
 * file's length. The algorithm is imagehlp's CheckSumMappedFile: 16-bit little-endian
 * words added with end-around carry, the CheckSum field itself counted as zero.
 */
export function sumWords(bytes: Uint8Array, initial = 0): number {
  let sum = initial;
  const even = bytes.length & ~1;
  for (let i = 0; i < even; i += 2) {
    sum += (bytes[i] as number) | ((bytes[i + 1] as number) << 8);
    // Fold often enough that the sum stays a small integer.
    if (sum > 0x7fff0000) sum = (sum & 0xffff) + (sum >>> 16);
  }
  if (bytes.length & 1) sum += bytes[bytes.length - 1] as number;
  return foldCarry(sum);
}

function foldCarry(sum: number): number {
  let folded = sum;
  while (folded > 0xffff) folded = (folded & 0xffff) + Math.floor(folded / 0x10000);
  return folded;
}

/** The checksum from the folded sum of the whole file (checksum field as zero) and its length. */
export function finishChecksum(sum: number, fileLength: number): number {
  return (foldCarry(sum) + fileLength) >>> 0;
}

/** Rounds up to the certificate table's alignment. */
export function alignCert(length: number): number {
  return Math.ceil(length / CERT_ALIGNMENT) * CERT_ALIGNMENT;
}

/** A copy of the header bytes with the certificate table directory and the checksum rewritten. */
export function patchHeaders(head: Uint8Array, layout: PeLayout, table: { offset: number; size: number }, checksum: number): Uint8Array {
  const out = head.slice();
  const view = new DataView(out.buffer);
  if (layout.certDirectoryOffset + 8 <= out.length) {
    view.setUint32(layout.certDirectoryOffset, table.offset, true);
    view.setUint32(layout.certDirectoryOffset + 4, table.size, true);
  }
  if (layout.checksumOffset + 4 <= out.length) view.setUint32(layout.checksumOffset, checksum, true);
  return out;
}

/** The checksum of a whole image in memory. */
export function imageChecksum(image: Uint8Array, layout: PeLayout): number {
  const zeroed = image.subarray(0, layout.checksumOffset + 4).slice();
  zeroed.fill(0, layout.checksumOffset, layout.checksumOffset + 4);
  return finishChecksum(sumWords(image.subarray(layout.checksumOffset + 4), sumWords(zeroed)), image.length);
}

/**
 * The image without its Authenticode signature: the certificate table cut off (it must
 * end the file, as every signer puts it), the directory entry zeroed, the checksum
 * recomputed. An unsigned image is returned as it is.
 */
export function withoutSignature(image: Uint8Array): Uint8Array {
  const layout = peLayout(image.subarray(0, PE_HEADER_BYTES));
  if (layout.certTableSize === 0) return image;
  if (layout.certTableOffset + layout.certTableSize !== image.length) throw new PeError('the certificate table does not end the file');
  const body = image.slice(0, layout.certTableOffset);
  const unsigned = patchHeaders(body.subarray(0, PE_HEADER_BYTES), layout, { offset: 0, size: 0 }, 0);
  body.set(unsigned, 0);
  return withChecksum(body);
}

/** Sets an image's checksum field (in place) and returns it. */
export function withChecksum(image: Uint8Array): Uint8Array {
  const layout = peLayout(image.subarray(0, PE_HEADER_BYTES));
  new DataView(image.buffer, image.byteOffset, image.byteLength).setUint32(layout.checksumOffset, imageChecksum(image, layout), true);
  return image;
}
