"""Answering syncspec's prompt in a real pseudo-terminal, as a person at a keyboard would."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
from pathlib import Path

HANG_GUARD_S = 300  # only against a hang (a bug): no answer is timed

# In the child, a session of its own takes the pty as its controlling terminal, so Ctrl-C typed
# there is SIGINT, as in a shell; then it becomes syncspec.
_CONTROLLING_TERMINAL = (
    "import fcntl, os, sys, termios; fcntl.ioctl(0, termios.TIOCSCTTY, 0); "
    "os.execv(sys.executable, [sys.executable, '-m', 'syncspec', *sys.argv[1:]])"
)


def answer_in_terminal(
    args: list[str],
    cwd: Path,
    env: dict[str, str],
    prompt: bytes,
    answer: bytes,
    *,
    controlling: bool = False,
) -> tuple[subprocess.Popen[bytes], bytes]:
    """Run ``syncspec ARGS`` on a pty, type ``answer`` once ``prompt`` is shown, and read until
    the terminal closes. ``controlling``: the pty is the child's controlling terminal (Ctrl-C
    sends SIGINT). Returns the (ended or ending) process and everything it wrote."""
    main, secondary = pty.openpty()
    argv = (
        [sys.executable, "-c", _CONTROLLING_TERMINAL, *args]
        if controlling
        else [sys.executable, "-m", "syncspec", *args]
    )
    proc = subprocess.Popen(
        argv, cwd=cwd, env=env, stdin=secondary, stdout=secondary, stderr=secondary,
        close_fds=True, start_new_session=controlling,
    )  # fmt: skip
    os.close(secondary)
    output = b""
    answered = False
    try:
        while True:
            ready, _, _ = select.select([main], [], [], HANG_GUARD_S)
            if not ready:
                proc.kill()
                raise AssertionError(f"syncspec hangs; its output so far: {output!r}")
            try:
                chunk = os.read(main, 4096)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            output += chunk
            if not answered and prompt in output:
                os.write(main, answer)
                answered = True
    finally:
        os.close(main)
    return proc, output
