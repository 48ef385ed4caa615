import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * A `dfx` stand-in (no Internet Computer replica or dfx can run here): a shell script put on
 * PATH that records every call (working directory and arguments) and behaves like dfx 0.24
 * for `--version`, `canister stop|start`, `canister snapshot create` (prints the `Snapshot ID:`
 * line) and `canister snapshot download` (writes snapshot files into `--dir`). Failures are
 * chosen with DFX_STANDIN_FAIL, e.g. `create:hub start:hub`.
 */
export interface DfxStandIn {
  /** Folder to put first on PATH. */
  readonly bin: string;
  /** Env for a run: PATH plus the stand-in's settings. */
  env(settings?: { version?: string; fail?: string[] }): Record<string, string | undefined>;
  /** The calls made so far, as argument strings. */
  calls(): Promise<string[]>;
  /** Working directories of the calls so far. */
  cwds(): Promise<string[]>;
}

const SCRIPT = `#!/usr/bin/env bash
printf '%s\\t%s\\n' "$PWD" "$*" >> "$DFX_STANDIN_LOG"
fails() { case " $DFX_STANDIN_FAIL " in *" $1 "*) return 0;; esac; return 1; }
if [ "$1" = "--version" ]; then echo "dfx \${DFX_STANDIN_VERSION:-0.24.3}"; exit 0; fi
[ "$1" = "canister" ] || { echo "unexpected: $*" >&2; exit 2; }
case "$2" in
  stop|start)
    if fails "$2:$3"; then echo "Error: Failed to $2 canister $3: the replica returned a rejection error" >&2; exit 1; fi
    echo "Stopping/starting code for canister $3" >&2; exit 0;;
  snapshot)
    case "$3" in
      create)
        if fails "create:$4"; then echo "Error: Failed to take snapshot of canister $4: Canister $4 has reached the maximum number of snapshots" >&2; exit 1; fi
        id=$(printf '%s' "$4" | od -An -tx1 | tr -d ' \\n' | cut -c1-20)
        if fails "noid:$4"; then echo "Created a new snapshot of canister $4." >&2; exit 0; fi
        echo "Created a new snapshot of canister $4. Snapshot ID: 0000000000\${id}0101" >&2; exit 0;;
      download)
        if fails "download:$4"; then echo "Error: download failed" >&2; exit 1; fi
        dir=""; prev=""
        for a in "$@"; do [ "$prev" = "--dir" ] && dir="$a"; prev="$a"; done
        [ -d "$dir" ] || { echo "Error: $dir is not a directory" >&2; exit 1; }
        head -c 300000 /dev/urandom > "$dir/main_memory.bin"
        head -c 5000 /dev/urandom > "$dir/stable_memory.bin"
        printf 'wasm-%s' "$4" > "$dir/wasm_module.bin"
        printf '{"canister":"%s","snapshot":"%s"}' "$4" "$5" > "$dir/metadata.json"
        exit 0;;
    esac;;
esac
echo "unexpected: $*" >&2; exit 2
`;

/** Writes the stand-in into `folder/bin` and returns how to use it. */
export async function installDfxStandIn(folder: string): Promise<DfxStandIn> {
  const bin = join(folder, 'bin');
  const log = join(folder, 'dfx-calls.log');
  await mkdir(bin, { recursive: true });
  await writeFile(join(bin, 'dfx'), SCRIPT);
  await chmod(join(bin, 'dfx'), 0o755);
  await writeFile(log, '');
  const entries = async () =>
    (await readFile(log, 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((line) => line.split('\t') as [string, string]);
  return {
    bin,
    env: ({ version, fail } = {}) => ({
      ...process.env,
      PATH: `${bin}:${process.env.PATH ?? ''}`,
      DFX_STANDIN_LOG: log,
      DFX_STANDIN_VERSION: version,
      DFX_STANDIN_FAIL: (fail ?? []).join(' '),
    }),
    calls: async () => (await entries()).map(([, args]) => args),
    cwds: async () => (await entries()).map(([cwd]) => cwd),
  };
}
