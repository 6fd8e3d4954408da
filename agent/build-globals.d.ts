/** Replaced at build time by esbuild (`define`); the package version. */
declare const __RELAIS_VERSION__: string;
/**
 * Replaced at build time by esbuild (`define`): the systeminformation worker's code
 * (agent/diagnostics/system-info-worker.ts, bundled); absent when run from the sources.
 */
declare const __RELAIS_SYSTEM_INFO_WORKER__: string | undefined;
