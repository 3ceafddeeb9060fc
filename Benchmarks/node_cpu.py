#!/usr/bin/env python3
"""Where a fleet run's CPU goes, per node: planrun with its ssh clients, and the node's side (sshd's sessions).

    Benchmarks/node_cpu.py PLANRUN[,PLANRUN2...] [--nodes 100] [--rounds 5]

Runs the fleet section's four operations (mkdir, touch + chmod 777, copy 54 bytes, `echo hi`) on N node
aliases of one private sshd (scripts/fleetbed), each binary once a round, interleaved, and prints per binary
the median wall time and CPU a node: planrun's own with its children (the `ssh` clients), and sshd's reaped
sessions (the login shell, the session's `sh`, every program the commands start). On one machine both sides
share the cores, so a change to what runs on the node shows here, where the fleet section's wall times are
too noisy to tell a few percent. Standard library only.
"""
import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FLEETBED = os.path.join(ROOT, "scripts", "fleetbed")
sys.dont_write_bytecode = True  # no __pycache__ left in the repository
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cases import read_env  # noqa: E402

PLAN = """planrun: 1
name: node-cpu
inputs: { out: { type: string } }
policy: { max_parallel: 50, max_connecting: 50, default_timeout: 120s }
operations:
  work:
    execute:
      - { id: dir, target: fleet, run: "mkdir -p ${{ inputs.out }}/${{ node.name }}" }
      - { id: log, target: fleet, run: "touch ${{ inputs.out }}/${{ node.name }}/log && chmod 777 ${{ inputs.out }}/${{ node.name }}/log" }
      - { id: file, target: fleet, copy: { src: SRC, dest: "${{ inputs.out }}/${{ node.name }}/file" } }
      - { id: hi, target: fleet, run: echo hi }
"""


def sshd_cpu(pid):
    """Seconds of CPU sshd's reaped children (the sessions) used so far."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("binaries")
    p.add_argument("--nodes", type=int, default=100)
    p.add_argument("--rounds", type=int, default=5)
    a = p.parse_args()
    binaries = a.binaries.split(",")
    work = tempfile.mkdtemp(prefix="planrun-node-cpu-")
    bed = f"{work}/bed"
    subprocess.run([FLEETBED, "up", bed], check=True, stdout=subprocess.DEVNULL)
    try:
        pid = int(read_env(f"{bed}/env")["PID"])
        inventory, plan, src = f"{work}/inventory.yaml", f"{work}/plan.yaml", f"{work}/src"
        subprocess.run([FLEETBED, "inventory", bed, str(a.nodes), inventory], check=True)
        with open(plan, "w") as f:
            f.write(PLAN.replace("SRC", src))
        with open(src, "w") as f:
            f.write("planrun fleet benchmark: fifty-four bytes of content.\n")
        runs = {b: [] for b in binaries}
        for _ in range(a.rounds):
            for binary in binaries:
                out = f"{work}/out"
                shutil.rmtree(out, ignore_errors=True)
                os.makedirs(out)
                sshd_before, own_before = sshd_cpu(pid), resource.getrusage(resource.RUSAGE_CHILDREN)
                start = time.monotonic()
                done = subprocess.run(
                    [binary, "run", plan, "--inventory", inventory, "--quiet", "-i", f"out={out}"],
                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
                wall = time.monotonic() - start
                own_after = resource.getrusage(resource.RUSAGE_CHILDREN)
                time.sleep(0.4)  # sessions that end with the run are reaped by sshd
                if done.returncode != 0:
                    sys.exit(f"{binary} failed: {done.stderr.decode()[-500:]}")
                own = own_after.ru_utime - own_before.ru_utime + own_after.ru_stime - own_before.ru_stime
                runs[binary].append((wall, own, sshd_cpu(pid) - sshd_before))
    finally:
        subprocess.run([FLEETBED, "down", bed], stdout=subprocess.DEVNULL)
        shutil.rmtree(work, ignore_errors=True)
    n = a.nodes
    print(f"{n} nodes, {a.rounds} interleaved rounds; medians, CPU in ms a node")
    for binary, measured in runs.items():
        wall = statistics.median(r[0] for r in measured)
        own = statistics.median(r[1] for r in measured) * 1000 / n
        node = statistics.median(r[2] for r in measured) * 1000 / n
        total = statistics.median(r[1] + r[2] for r in measured) * 1000 / n
        print(f"{binary}: wall {wall:.3f} s  planrun+ssh {own:.2f}  node {node:.2f}  total {total:.2f}")


if __name__ == "__main__":
    main()
