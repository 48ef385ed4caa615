import { opt } from './define.js';

/** Telling people when a backup, drill or gate run starts, succeeds or fails. */
export const notifyOptions = {
  'notify-webhook': opt.list({
    secret: true,
    description:
      'Webhook URLs (one per line or comma-separated) that get a POST when the run ends: Slack and Microsoft Teams incoming-webhook URLs get their `text` message, any other URL a JSON document (operation, status, name, verdict, failure, outputs, run link). Never a secret in it. Retried a few times with a timeout; a notification that cannot be delivered is a warning and never changes the result. Masked: webhook URLs are credentials.',
  }),
  'notify-ping': opt.string({
    secret: true,
    description:
      'A healthchecks.io-style ping URL: `<url>/start` when the run starts, `<url>` when it succeeds, `<url>/fail` when it fails or is cancelled (the convention of healthchecks.io and compatible monitors). Retried a few times with a timeout; a ping that cannot be delivered is a warning and never changes the result.',
  }),
};
