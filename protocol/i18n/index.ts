export * from './language.js';
export * from './translator.js';
export * from './format.js';
