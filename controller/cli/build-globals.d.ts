/** Replaced at build time by esbuild (`define`); the package version. */
declare const __RELAIS_VERSION__: string;
