export * from './version.js';
export * from './limits.js';
export * from './errors.js';
export * from './frames.js';
export * from './fields.js';
export * from './messages.js';
export * from './codec.js';
