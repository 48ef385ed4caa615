import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const TTY = fileURLToPath(new URL('./age-tty.py', import.meta.url));

/** Runs the real `age` CLI; throws with its stderr when it fails. */
export function age(args: string[], input?: Uint8Array): Buffer {
  return execFileSync('age', args, { input, maxBuffer: 1 << 30, stdio: ['pipe', 'pipe', 'pipe'] });
}

/** Runs `age` on a pseudo-terminal, answering its passphrase prompts with `passphrase` (age reads passphrases from a terminal only). */
export function ageWithPassphrase(passphrase: string, args: string[]): void {
  execFileSync('python3', [TTY, passphrase, 'age', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
}

/** A fresh age key pair from the real `age-keygen`: the key file's text and its recipient. */
export function ageKeygen(): { keyFile: string; recipient: string; identity: string } {
  const keyFile = execFileSync('age-keygen', [], { stdio: ['ignore', 'pipe', 'pipe'] }).toString('utf8');
  const recipient = /# public key: (age1\S+)/.exec(keyFile)![1]!;
  const identity = keyFile.split('\n').find((l) => l.startsWith('AGE-SECRET-KEY-1'))!;
  return { keyFile, recipient, identity };
}
