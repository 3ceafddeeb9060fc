#!/usr/bin/env python3
"""Time whole processes, interleaved, for Benchmarks/run.

    measure.py CASES.json RESULTS.json [--rounds R]

CASES.json is a list of {"id": "steps/100/planrun", "argv": [...], "cwd": DIR?, "env": {...}?,
"rounds": R?, "samples": K?, "timeout": S?}. Every case first runs once as a warm-up that is also its
check: a missing program or a non-zero exit makes the case "n/a" with the reason (its stderr's last
line) instead of stopping the benchmark. Then the cases run interleaved, R rounds (a case with its own
smaller "rounds" sits out the later ones), so machine noise spreads over every tool. Each round runs
every case once, or K times when it says "samples" (cheap cases whose few milliseconds one noisy
run would swamp), in an order shuffled afresh each round from a fixed seed: no tool always runs right
after the same heavy neighbour (an Ansible run leaves the caches cold for whatever follows it).

Each run is timed with time.perf_counter (monotonic) from spawn to reap. The peak resident set (KiB,
the largest of the process and its reaped descendants) is taken in the warm-up through /usr/bin/time
(Debian package `time`), so the timed runs carry no wrapper; without it, wait4's figure, which
includes this Python's pages copied at fork.
RESULTS.json maps id -> {"times": [s…], "rss_kib": max, "failures": n, "na": reason|null}. Standard library only.
"""
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time

GNU_TIME = "/usr/bin/time"


def kill_group(pid):
    """A run past its timeout: the whole group goes (it leads its own session)."""
    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def run_once(case, warm_up=False):
    """One run: (seconds, exit status or None if killed, peak RSS KiB, stderr tail).

    The warm-up captures stderr and, through GNU time, the peak RSS: a child forked from this
    Python process would count Python's own pages as its peak, a child of `time` only time's (~2 MB).
    """
    env = dict(os.environ)
    env.update(case.get("env", {}))
    err = tempfile.TemporaryFile() if warm_up else subprocess.DEVNULL
    argv = case["argv"]
    rss_file = None
    if warm_up and os.access(GNU_TIME, os.X_OK):
        rss_file = tempfile.NamedTemporaryFile(prefix="rss.", delete=False)
        rss_file.close()
        argv = [GNU_TIME, "-q", "-f", "%M", "-o", rss_file.name] + argv
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=case.get("cwd"), env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=err, start_new_session=True)
    timer = threading.Timer(case.get("timeout", 900), kill_group, [proc.pid])
    timer.start()
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    timer.cancel()
    proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here; keep Popen from waiting again
    code = os.WEXITSTATUS(status) if os.WIFEXITED(status) else None
    rss = usage.ru_maxrss
    if rss_file:
        with open(rss_file.name) as f:
            words = f.read().split()
        os.unlink(rss_file.name)
        rss = int(words[-1]) if words and words[-1].isdigit() else 0
    tail = ""
    if warm_up:
        err.seek(0)
        lines = [l for l in err.read().decode(errors="replace").splitlines() if l.strip()]
        tail = lines[-1] if lines else ""
        err.close()
    return elapsed, code, rss, tail


def main():
    args = sys.argv[1:]
    rounds = 5
    if "--rounds" in args:
        i = args.index("--rounds")
        rounds = int(args[i + 1])
        del args[i:i + 2]
    if len(args) != 2:
        sys.exit(__doc__)
    cases = json.load(open(args[0]))
    results = {}
    live = []
    for case in cases:
        r = {"times": [], "rss_kib": 0, "failures": 0, "na": case.get("na")}
        results[case["id"]] = r
        if r["na"]:
            print(f"  {case['id']}: n/a: {r['na']}", file=sys.stderr)
            continue
        try:
            elapsed, code, rss, tail = run_once(case, warm_up=True)
        except OSError as e:
            r["na"] = f"{case['argv'][0]}: {e.strerror}"
        else:
            if code != 0:
                r["na"] = f"exit {code if code is not None else 'killed'}" + (f": {tail}" if tail else "")
            else:
                r["rss_kib"] = rss
                live.append(case)
        status = f"n/a: {r['na']}" if r["na"] else f"warm-up {elapsed:.3f} s"
        print(f"  {case['id']}: {status}", file=sys.stderr)
    for n in range(rounds):
        print(f"  round {n + 1}/{rounds}", file=sys.stderr)
        order = [case for case in live if n < case.get("rounds", rounds) for _ in range(case.get("samples", 1))]
        random.Random(f"round {n}").shuffle(order)
        for case in order:
            r = results[case["id"]]
            elapsed, code, rss, _ = run_once(case)
            if code != 0:
                r["failures"] += 1  # reported beside the median; the round's time is not kept
                continue
            r["times"].append(elapsed)
    with open(args[1], "w") as f:
        json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
