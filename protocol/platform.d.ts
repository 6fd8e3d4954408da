// The protocol project compiles with no DOM and no Node types, so that a
// platform-specific global fails to compile. These exist in every runtime
// we target (Node 20, browsers) but are not part of the ES library.
declare class TextEncoder {
  encode(input?: string): Uint8Array;
}
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean });
  decode(input?: Uint8Array): string;
}
/** WHATWG URL: in Node 20 and every browser; only what the protocol reads of it. */
declare class URL {
  constructor(input: string, base?: string);
  readonly protocol: string;
  readonly hostname: string;
}
