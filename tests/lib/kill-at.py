#!/usr/bin/env python3
"""kill-at.py MAX_MS CMD...: run CMD, SIGKILL it after a random 0..MAX_MS ms
(uniform, microsecond resolution), wait up to 5 s for the processes it had
started to finish (a credential helper runs on in its own process group),
and print "killed" when the kill interrupted it, "finished" when it had
already exited. For the fault-injection tests (tests/e2e/fault-kill.bats)."""
import os
import random
import signal
import sys
import time


def children(pid):
    kids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            kids.append(int(entry))
    return kids


def alive(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except OSError:
        return False


def main():
    max_ms = float(sys.argv[1])
    cmd = sys.argv[2:]
    devnull = os.open(os.devnull, os.O_RDWR)
    pid = os.fork()
    if pid == 0:
        os.dup2(devnull, 0)
        os.dup2(devnull, 1)
        os.dup2(devnull, 2)
        os.execvp(cmd[0], cmd)
    time.sleep(random.uniform(0, max_ms) / 1000.0)
    kids = children(pid)
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    _, status = os.waitpid(pid, 0)
    deadline = time.monotonic() + 5
    while any(alive(k) for k in kids) and time.monotonic() < deadline:
        time.sleep(0.02)
    killed = os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
    print("killed" if killed else "finished")


main()
