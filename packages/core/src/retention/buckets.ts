/** The time buckets of GFS retention, all in UTC so a runner's time zone never moves a backup. */
export type BucketUnit = 'hourly' | 'daily' | 'weekly' | 'monthly' | 'yearly';

/** The bucket units from finest to coarsest, the order reasons are listed in. */
export const BUCKET_UNITS: readonly BucketUnit[] = ['hourly', 'daily', 'weekly', 'monthly', 'yearly'];

/** The bucket a time falls in, as readable text: `2025-03-14T05`, `2025-03-14`, `2025-W11`, `2025-03`, `2025`. */
export function bucketOf(unit: BucketUnit, time: Date): string {
  const iso = time.toISOString();
  switch (unit) {
    case 'hourly':
      return iso.slice(0, 13);
    case 'daily':
      return iso.slice(0, 10);
    case 'weekly': {
      const { year, week } = isoWeek(time);
      return `${year}-W${String(week).padStart(2, '0')}`;
    }
    case 'monthly':
      return iso.slice(0, 7);
    case 'yearly':
      return iso.slice(0, 4);
  }
}

const DAY_MS = 86_400_000;

/** ISO 8601 week (weeks start on Monday; week 1 holds the year's first Thursday), in UTC. */
export function isoWeek(time: Date): { year: number; week: number } {
  const day = Date.UTC(time.getUTCFullYear(), time.getUTCMonth(), time.getUTCDate());
  const weekday = (new Date(day).getUTCDay() + 6) % 7; // Monday = 0
  // The Thursday of the same week decides which year the week belongs to.
  const thursday = new Date(day + (3 - weekday) * DAY_MS);
  const year = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * DAY_MS)) + 1;
  return { year, week };
}
