/**
 * What the GitHub Actions adapters need beyond the library: the runner that reads inputs and
 * writes outputs and summaries, and its reporter. A subpath of its own (`@lifeboat/core/action`),
 * so the CLI and library users do not load @actions/core and its HTTP stack (~25 MiB RSS).
 */
export { ActionsReporter } from './report/actions-reporter.js';
export { runAction } from './report/action-runner.js';
