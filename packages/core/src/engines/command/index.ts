/** The command engine: any dump tool's stdout as a backup, with presets for common tools. */
export * from './options.js';
export * from './errors.js';
export { commandManifestSchema, type CommandManifestSection } from './manifest.js';
export { PRESETS, PRESET_NAMES, type Preset, type PresetName } from './presets.js';
export { parseCommandLine, describeCommand, type CommandLine } from './command-line.js';
export { breakGlass as commandBreakGlass } from './break-glass.js';
export { commandEngine } from './engine.js';
