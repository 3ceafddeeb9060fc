#!/usr/bin/env python3
"""What recording a run in the run store costs (issue 13): a one-step and a 100-step local run, each with
and without `--no-record`, interleaved, medians of ROUNDS runs each.

    Benchmarks/store.py [BINARY] [--rounds N]

BINARY defaults to .build/release/planrun. The store is a fresh temporary directory (PLANRUN_STATE), so its
first run creates the database and later runs append to it, as an operator's would. Targets: recording
adds at most 1 ms to the one-step run (start-up) and at most 5% to the 100-step run.
Standard library only.
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

here = os.path.dirname(os.path.abspath(__file__))


def plan(n, directory):
    path = os.path.join(directory, f"steps-{n}.yaml")
    with open(path, "w") as f:
        f.write(subprocess.run([sys.executable, os.path.join(here, "gen_plan.py"), str(n)],
                               check=True, capture_output=True, text=True).stdout)
    return path


def once(binary, path, record, env):
    args = [binary, "run", path, "-q"] + ([] if record else ["--no-record"])
    start = time.perf_counter()
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, env=env)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary", nargs="?", default=".build/release/planrun")
    parser.add_argument("--rounds", type=int, default=30)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        env = dict(os.environ, PLANRUN_STATE=os.path.join(directory, "state"))
        for n in (1, 100):
            path = plan(n, directory)
            once(options.binary, path, True, env)  # creates the store
            times = {True: [], False: []}
            for _ in range(options.rounds):
                for record in (False, True):
                    times[record].append(once(options.binary, path, record, env))
            off, on = statistics.median(times[False]), statistics.median(times[True])
            print(f"{n:>3} step(s): --no-record {off * 1000:7.2f} ms   recorded {on * 1000:7.2f} ms   "
                  f"cost {(on - off) * 1000:+6.2f} ms ({(on / off - 1) * 100:+5.1f}%)")


if __name__ == "__main__":
    main()
