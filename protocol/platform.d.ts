// The protocol project compiles with no DOM and no Node types, so that a
// platform-specific global fails to compile. These two exist in every runtime
// we target (Node 20, browsers) but are not part of the ES library.
declare class TextEncoder {
  encode(input?: string): Uint8Array;
}
declare class TextDecoder {
  constructor(label?: string, options?: { fatal?: boolean });
  decode(input?: Uint8Array): string;
}
