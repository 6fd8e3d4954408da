/** The wire protocol version carried in every `hello`. Bump on any incompatible change. */
export const PROTOCOL_VERSION = 1;

/** Versions this build can speak; a peer outside this list is refused with both lists named. */
export const SUPPORTED_VERSIONS: readonly number[] = [1];
