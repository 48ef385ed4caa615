/** Lifeboat's version, recorded in manifests and evidence (a test keeps it equal to package.json). */
export const LIFEBOAT_VERSION = '1.0.0';
