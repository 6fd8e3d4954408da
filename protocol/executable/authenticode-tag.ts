/**
 * Carrying the session trailer inside a signed Windows executable without breaking its
 * signature. An Authenticode signature is a PKCS#7 SignedData in the PE certificate
 * table; its one SignerInfo may hold unauthenticated attributes (RFC 2315 9.2), which the
 * signature does not cover — timestamps live there too. The trailer payload goes in one
 * such attribute, under an OID of our own (a UUID OID, X.667: 2.25.<uuid as a number>),
 * as an OCTET STRING. Tagging again replaces the previous tag.
 *
 * Only the certificate table changes (and, in the headers, its size and the checksum,
 * which the Authenticode hash skips), so the signature stays valid: checked with
 * osslsigncode and openssl in test/unit/authenticode-tag.test.ts.
 */
import { DerError, TAG, children, compareForSet, concat, element, readElement, type DerElement } from './der.js';
import { WIN_CERT_REVISION_2_0, WIN_CERT_TYPE_PKCS_SIGNED_DATA, alignCert } from './pe-image.js';

/** 2.25.192108000989815525348603695583291704757 (UUID 9086a7b8-f9f5-40cd-8e9a-04f82ba305b5), DER-encoded with its tag. */
export const RELAIS_TAG_OID = Uint8Array.of(0x06, 0x14, ...hex('6982a186d3ee9f9faa839b8ecd819f82dd8c8b35'));
const SIGNED_DATA_OID = Uint8Array.of(0x06, 0x09, ...hex('2a864886f70d010702'));
/** A certificate table larger than this is not one we made (ours are ~10 KiB). */
export const CERT_TABLE_MAX_BYTES = 1024 * 1024;

function hex(text: string): number[] {
  return text.match(/../g)?.map((pair) => parseInt(pair, 16)) ?? [];
}

function equalBytes(bytes: Uint8Array, el: DerElement, expected: Uint8Array): boolean {
  if (el.end - el.start !== expected.length) return false;
  for (let i = 0; i < expected.length; i++) if (bytes[el.start + i] !== expected[i]) return false;
  return true;
}

/** One WIN_CERTIFICATE of the table: where it starts and its PKCS#7 DER element. */
interface SignedEntry {
  readonly entryStart: number;
  readonly entryEnd: number;
  readonly der: DerElement;
}

/** The first PKCS#7 SignedData entry of a certificate table. */
function signedEntry(table: Uint8Array): SignedEntry {
  const view = new DataView(table.buffer, table.byteOffset, table.byteLength);
  for (let offset = 0; offset + 8 <= table.length; ) {
    const length = view.getUint32(offset, true);
    if (length < 8 || offset + length > table.length) throw new DerError('WIN_CERTIFICATE length out of bounds');
    if (view.getUint16(offset + 6, true) === WIN_CERT_TYPE_PKCS_SIGNED_DATA) {
      return { entryStart: offset, entryEnd: offset + length, der: readElement(table, offset + 8, offset + length) };
    }
    offset += alignCert(length);
  }
  throw new DerError('no PKCS#7 signature in the certificate table');
}

/** ContentInfo → SignedData → the first SignerInfo, checking each step's shape. */
function signerPath(bytes: Uint8Array, contentInfo: DerElement): { signedData: DerElement; explicit: DerElement; signerInfos: DerElement; signerInfo: DerElement } {
  const [type, explicit] = children(bytes, contentInfo);
  if (contentInfo.tag !== TAG.SEQUENCE || !type || !equalBytes(bytes, type, SIGNED_DATA_OID) || explicit?.tag !== TAG.CONTEXT_0) throw new DerError('not a PKCS#7 SignedData');
  const [signedData] = children(bytes, explicit);
  if (signedData?.tag !== TAG.SEQUENCE) throw new DerError('SignedData is not a SEQUENCE');
  const signerInfos = children(bytes, signedData).at(-1);
  if (signerInfos?.tag !== TAG.SET) throw new DerError('no signerInfos');
  const [signerInfo] = children(bytes, signerInfos);
  if (signerInfo?.tag !== TAG.SEQUENCE) throw new DerError('no SignerInfo');
  return { signedData, explicit, signerInfos, signerInfo };
}

/** The attribute's value when it is ours: SEQUENCE { OID, SET { OCTET STRING } }. */
function ourValue(bytes: Uint8Array, attribute: DerElement): Uint8Array | null {
  if (attribute.tag !== TAG.SEQUENCE) return null;
  const [oid, values] = children(bytes, attribute);
  if (!oid || !equalBytes(bytes, oid, RELAIS_TAG_OID) || values?.tag !== TAG.SET) return null;
  const [value] = children(bytes, values);
  if (value?.tag !== TAG.OCTET_STRING) throw new DerError('tag value is not an OCTET STRING');
  return bytes.subarray(value.contentStart, value.end);
}

/** The tag's payload in a certificate table, or null when the signature carries none. */
export function readCertificateTag(table: Uint8Array): Uint8Array | null {
  const entry = signedEntry(table);
  const { signerInfo } = signerPath(table, entry.der);
  const unauthenticated = children(table, signerInfo).find((child) => child.tag === TAG.CONTEXT_1);
  if (!unauthenticated) return null;
  for (const attribute of children(table, unauthenticated)) {
    const value = ourValue(table, attribute);
    if (value) return value;
  }
  return null;
}

/** `parent` with one child replaced by `replacement` (or `replacement` appended when `child` is null), lengths rewritten. */
function rebuilt(bytes: Uint8Array, parent: DerElement, child: DerElement | null, replacement: Uint8Array): Uint8Array {
  const before = bytes.subarray(parent.contentStart, child ? child.start : parent.end);
  const after = child ? bytes.subarray(child.end, parent.end) : new Uint8Array(0);
  return element(parent.tag, before, replacement, after);
}

/**
 * A new certificate table whose signature carries `payload` as an unauthenticated
 * attribute (replacing an earlier tag). The WIN_CERTIFICATE is padded to 8 bytes and its
 * length rewritten; other entries of the table are kept as they were.
 */
export function tagCertificateTable(table: Uint8Array, payload: Uint8Array): Uint8Array {
  const entry = signedEntry(table);
  const der = entry.der;
  const path = signerPath(table, der);
  const signerChildren = children(table, path.signerInfo);
  const unauthenticated = signerChildren.find((child) => child.tag === TAG.CONTEXT_1) ?? null;
  const kept = unauthenticated ? children(table, unauthenticated).filter((attribute) => ourValue(table, attribute) === null).map((a) => table.subarray(a.start, a.end)) : [];
  const ours = element(TAG.SEQUENCE, RELAIS_TAG_OID, element(TAG.SET, element(TAG.OCTET_STRING, payload)));
  // DER wants a SET OF in the order of its encodings.
  const attributes = element(TAG.CONTEXT_1, ...[...kept, ours].sort(compareForSet));
  const signerInfo = rebuilt(table, path.signerInfo, unauthenticated, attributes);
  const signerInfos = rebuilt(table, path.signerInfos, path.signerInfo, signerInfo);
  const signedData = rebuilt(table, path.signedData, path.signerInfos, signerInfos);
  const explicit = rebuilt(table, path.explicit, path.signedData, signedData);
  const contentInfo = rebuilt(table, der, path.explicit, explicit);
  return replaceEntry(table, entry, contentInfo);
}

function replaceEntry(table: Uint8Array, entry: SignedEntry, der: Uint8Array): Uint8Array {
  const length = alignCert(8 + der.length);
  const certificate = new Uint8Array(length);
  const view = new DataView(certificate.buffer);
  view.setUint32(0, length, true);
  view.setUint16(4, WIN_CERT_REVISION_2_0, true);
  view.setUint16(6, WIN_CERT_TYPE_PKCS_SIGNED_DATA, true);
  certificate.set(der, 8);
  const rest = table.subarray(alignCert(entry.entryEnd));
  return concat([table.subarray(0, entry.entryStart), certificate, rest]);
}
