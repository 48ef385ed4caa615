export * from './backup-id.js';
export * from './layout.js';
export * from './manifest.js';
export * from './drill-record.js';
export * from './clock-skew.js';
