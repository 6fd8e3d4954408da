export * from './language.js';
export * from './translator.js';
export * from './format.js';
export * from './pseudo.js';
