#!/usr/bin/env python3
"""What recording a run in the run store costs (issue 13), each figure with and without `--no-record`,
interleaved, medians of ROUNDS runs each:

- start-up: from launching planrun to its first step's command starting (the step writes the time);
- a one-step run and a 100-step local run, whole (to planrun's exit).

    Benchmarks/store.py [BINARY] [--rounds N]

BINARY defaults to .build/release/planrun. The store is a fresh temporary directory (PLANRUN_STATE), so its
first run creates the database and later runs append to it, as an operator's would. Targets: recording
adds at most 1 ms to start-up and at most 5% to the 100-step run. The one-step run's whole cost is what
the store costs at a run's end (it is opened then, for a run shorter than its first flush), for the record.
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


def first_step_plan(directory, stamp):
    """One step that writes when it started, seconds since 1970 (the clock Python's time.time() reads)."""
    path = os.path.join(directory, "first-step.yaml")
    with open(path, "w") as f:
        f.write(f"""planrun: 1
name: bench-start-up
operations:
  bench:
    execute:
      - {{ id: stamp, run: "date +%s.%N > {stamp}" }}
""")
    return path


def once(binary, path, record, env):
    args = [binary, "run", path, "-q"] + ([] if record else ["--no-record"])
    start = time.perf_counter()
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, env=env)
    return time.perf_counter() - start


def start_up(binary, path, stamp, record, env):
    """Seconds from launching planrun to its first step's command (whose own start, `date`, is in both arms)."""
    args = [binary, "run", path, "-q"] + ([] if record else ["--no-record"])
    launched = time.time()
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL, env=env)
    with open(stamp) as f:
        return float(f.read()) - launched


def compare(label, measure, rounds):
    """Interleaved rounds of `measure(record)`; prints the medians and the cost of recording."""
    times = {True: [], False: []}
    for _ in range(rounds):
        for record in (False, True):
            times[record].append(measure(record))
    off, on = statistics.median(times[False]), statistics.median(times[True])
    print(f"{label:>10}: --no-record {off * 1000:7.2f} ms   recorded {on * 1000:7.2f} ms   "
          f"cost {(on - off) * 1000:+6.2f} ms ({(on / off - 1) * 100:+5.1f}%)")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("binary", nargs="?", default=".build/release/planrun")
    parser.add_argument("--rounds", type=int, default=30)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        env = dict(os.environ, PLANRUN_STATE=os.path.join(directory, "state"))
        stamp = os.path.join(directory, "stamp")
        first = first_step_plan(directory, stamp)
        once(options.binary, first, True, env)  # creates the store
        compare("start-up", lambda record: start_up(options.binary, first, stamp, record, env), options.rounds)
        for n in (1, 100):
            path = plan(n, directory)
            compare(f"{n} step{'s' if n > 1 else ''}", lambda record: once(options.binary, path, record, env),
                    options.rounds)


if __name__ == "__main__":
    main()
