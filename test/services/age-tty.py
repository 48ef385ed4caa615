"""Runs an `age` command on a pseudo-terminal and answers its passphrase prompts.

age reads passphrases from the terminal only (never from stdin or a file), so tests of
passphrase files made or read by the real `age` CLI go through this. Usage:
  python3 age-tty.py PASSPHRASE age -p -o out.age in.bin
The exit code is age's.
"""
import os
import pty
import sys

passphrase = sys.argv[1].encode()
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])
seen = b''
answered = 0
while True:
    try:
        data = os.read(fd, 1024)
    except OSError:
        break
    if not data:
        break
    seen += data
    # One answer per prompt ("Enter passphrase", "Confirm passphrase").
    while seen.lower().count(b'passphrase') > answered:
        os.write(fd, passphrase + b'\n')
        answered += 1
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status))
