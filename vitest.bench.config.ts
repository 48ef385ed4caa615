// `npm run bench`: the benchmarks under scripts/bench/, one file at a time, printing figures.
// Kept apart from vitest.config.ts so `npm test` never runs them; nothing here asserts a
// timing, a benchmark only fails when the work it measures fails.
// Pick some with a file filter: `npm run bench -- backup`, `npm run bench -- restore components`.
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { defineConfig } from 'vitest/config';

/** Benchmarks in this order (the rest after them, by name); each prints its own tables. */
const ORDER = ['backup.bench.ts', 'restore.bench.ts', 'components.bench.ts'];

class BenchOrder extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (file: TestSpecification) => {
      const index = ORDER.indexOf(basename(file.moduleId));
      return index < 0 ? ORDER.length : index;
    };
    return [...files].sort((a, b) => rank(a) - rank(b) || a.moduleId.localeCompare(b.moduleId));
  }
}

export default defineConfig({
  resolve: {
    alias: {
      '@lifeboat/core/action': fileURLToPath(new URL('./packages/core/src/action.ts', import.meta.url)),
      '@lifeboat/core': fileURLToPath(new URL('./packages/core/src/index.ts', import.meta.url)),
    },
  },
  test: {
    include: ['scripts/bench/**/*.bench.ts'],
    pool: 'forks',
    // One benchmark at a time on two cores: anything running beside it would be measured too.
    maxWorkers: 1,
    fileParallelism: false,
    sequence: { sequencer: BenchOrder },
    // Tables go straight to the terminal, in order, without per-test prefixes.
    disableConsoleIntercept: true,
    // A 1 GiB run takes many minutes; the benchmarks bound their own sizes.
    testTimeout: 4 * 60 * 60 * 1000,
    hookTimeout: 10 * 60 * 1000,
    // The AWS SDK's notice that it will need Node 22 from 2027 says nothing about a benchmark.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
  },
});
