/** The agent as a single executable: platforms, the session trailer, and the Windows signature it hides in. */
export * from './agent-platforms.js';
export * from './session-trailer.js';
export * from './pe-image.js';
export * from './authenticode-tag.js';
export { DerError } from './der.js';
