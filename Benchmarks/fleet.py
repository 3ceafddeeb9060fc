#!/usr/bin/env python3
"""The fleet section of Benchmarks/run (issue 14): the pyinfra-performance work on N SSH hosts, side by side.

    fleet.py --planrun PATH --venv DIR --work DIR [--sizes 25,100,250] [--rounds 3] [--only REGEX] [--json OUT]

Per host: make a directory, touch a log file with mode 777, copy a 54-byte file, run `echo hi`, each tool
writing into its own directory per host alias. The hosts are N aliases of one private sshd on 127.0.0.1
(scripts/fleetbed: MaxStartups/MaxSessions raised, `Subsystem sftp internal-sftp`). The tools:

- limit:   a shell script that opens one ControlMaster per host and runs the four commands through it (the
           file's content on stdin), 50 hosts at a time (xargs -P);
- planrun: four steps on group `fleet` (max_parallel and max_connecting 50, as the limit's xargs -P; the copy is a `copy:` step when this planrun has
           it, else a stand-in that writes the content from the command line: printed in the report);
- pyinfra: files.directory, files.file(touch, mode 777), files.put, server.shell (all hosts at once);
- fabric:  one Connection per host in a thread each (ThreadingGroup's model; per-host paths need per-host
           commands), run / run / put (sftp) / run;
- ansible: file, file (touch, 0777), copy, command; forks min(N, 50), pipelining on.

Every run is checked afterwards (each host's directory has the log file, mode 777, and the 54 bytes).
Each N is measured in `--rounds` interleaved rounds (every tool once a round, Ansible in the first only: it
takes minutes), and each tool's median run is reported, as the other sections of Benchmarks/run do: one run
each left the verdict between two tools level within a few percent to the machine's noise.
Reported per tool and N: wall seconds, peak RSS of the tool's largest process (GNU time), CPU seconds of
the tool and its children (user+sys), and the CPU sshd spent serving it (Ansible's persisting masters are
ended right after its run, so that their sessions count for it, not for the next tool). Standard library only.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cases import read_env, write  # noqa: E402  (the same helpers as the other sections)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FLEETBED = os.path.join(ROOT, "scripts", "fleetbed")
CONTENT = "planrun fleet benchmark: fifty-four bytes of content.\n"
assert len(CONTENT.encode()) == 54
PARALLEL = 50
TOOLS = ["limit", "planrun", "pyinfra", "fabric", "ansible"]


def ssh_options(e):
    return (f"-o UserKnownHostsFile={e['KNOWN_HOSTS']} -o GlobalKnownHostsFile=/dev/null -o StrictHostKeyChecking=yes "
            f"-o IdentitiesOnly=yes -o BatchMode=yes")


def limit_script(d, e, n, out, src):
    """One ControlMaster per host, the four commands through it; 50 hosts at a time."""
    host = write(f"{d}/host.sh", f"""#!/bin/sh
# $1: the host alias. Opens its master, runs the work through it, closes it.
a=$1 dir={out}/$1 cp={d}/cp-$1
o="{ssh_options(e)} -o ControlPath=$cp -p {e['PORT']} -l {e['USER']} -i {e['KEY']}"
ssh $o -o ControlMaster=yes -o ControlPersist=60 -fN 127.0.0.1 || exit 1
ssh $o 127.0.0.1 "mkdir -p $dir" &&
ssh $o 127.0.0.1 "touch $dir/log && chmod 777 $dir/log" &&
ssh $o 127.0.0.1 "cat > $dir/file" < {src} &&
ssh $o 127.0.0.1 "echo hi" > /dev/null
s=$?
ssh $o -O exit 127.0.0.1 2>/dev/null
exit $s
""", 0o755)
    hosts = " ".join(f"n{i}" for i in range(1, n + 1))
    return write(f"{d}/limit.sh", f"#!/bin/sh\nprintf '%s\\n' {hosts} | xargs -P {PARALLEL} -n 1 {host}\n", 0o755)


def planrun_plan(d, out, src, copy):
    if copy:
        transfer = f"""      - id: file
        target: fleet
        copy: {{ src: {src}, dest: "{out}/${{{{ node.name }}}}/file" }}"""
    else:
        command = f"printf '%s' '{CONTENT}' > {out}/${{{{ node.name }}}}/file"
        transfer = f"""      - id: file
        target: fleet
        run: {json.dumps(command)}"""
    return write(f"{d}/plan.yaml", f"""planrun: 1
name: fleet-bench
policy: {{ max_parallel: {PARALLEL}, max_connecting: {PARALLEL}, default_timeout: 120s }}
operations:
  work:
    execute:
      - {{ id: dir, target: fleet, run: "mkdir -p {out}/${{{{ node.name }}}}" }}
      - {{ id: log, target: fleet, run: "touch {out}/${{{{ node.name }}}}/log && chmod 777 {out}/${{{{ node.name }}}}/log" }}
{transfer}
      - {{ id: hi, target: fleet, run: echo hi }}
""")


def pyinfra_files(d, e, n, out, src):
    inventory = write(f"{d}/inventory.py", "hosts = [\n" + "".join(
        f"    ('n{i}', {{'ssh_hostname': '127.0.0.1', 'ssh_port': {e['PORT']}, 'ssh_user': '{e['USER']}', "
        f"'ssh_key': '{e['KEY']}', 'ssh_known_hosts_file': '{e['KNOWN_HOSTS']}', "
        f"'ssh_strict_host_key_checking': 'yes'}}),\n" for i in range(1, n + 1)) + "]\n")
    deploy = write(f"{d}/deploy.py", f"""from pyinfra import host
from pyinfra.operations import files, server

d = "{out}/" + host.name
files.directory(name="dir", path=d)
files.file(name="log", path=d + "/log", touch=True, mode="777")
files.put(name="file", src="{src}", dest=d + "/file")
server.shell(name="hi", commands=["echo hi"])
""")
    return inventory, deploy


def fabric_script(d, e, n, out, src):
    return write(f"{d}/fab.py", f"""import sys
from concurrent.futures import ThreadPoolExecutor
from fabric import Connection
from paramiko.client import RejectPolicy

def work(alias):
    c = Connection("127.0.0.1", port={e['PORT']}, user="{e['USER']}",
                   connect_kwargs={{"key_filename": "{e['KEY']}", "look_for_keys": False, "allow_agent": False}})
    c.client.load_host_keys("{e['KNOWN_HOSTS']}")
    c.client.set_missing_host_key_policy(RejectPolicy())
    d = "{out}/" + alias
    try:
        c.run("mkdir -p " + d, hide=True)
        c.run("touch " + d + "/log && chmod 777 " + d + "/log", hide=True)
        c.put("{src}", d + "/file")
        c.run("echo hi", hide=True)
    finally:
        c.close()

hosts = ["n%d" % i for i in range(1, {n} + 1)]
with ThreadPoolExecutor(max_workers=len(hosts)) as pool:
    list(pool.map(work, hosts))
""")


def ansible_files(d, e, n, out, src, python):
    inventory = write(f"{d}/hosts.ini", "[fleet]\n" + "".join(
        f"n{i} ansible_host=127.0.0.1 ansible_port={e['PORT']} ansible_user={e['USER']} "
        f"ansible_ssh_private_key_file={e['KEY']} ansible_python_interpreter={python} "
        f"ansible_ssh_common_args='-o UserKnownHostsFile={e['KNOWN_HOSTS']} -o GlobalKnownHostsFile=/dev/null "
        f"-o StrictHostKeyChecking=yes -o IdentitiesOnly=yes'\n" for i in range(1, n + 1)))
    playbook = write(f"{d}/playbook.yml", f"""- hosts: fleet
  gather_facts: false
  tasks:
    - ansible.builtin.file: {{ path: "{out}/{{{{ inventory_hostname }}}}", state: directory }}
    - ansible.builtin.file: {{ path: "{out}/{{{{ inventory_hostname }}}}/log", state: touch, mode: "0777" }}
    - ansible.builtin.copy: {{ src: "{src}", dest: "{out}/{{{{ inventory_hostname }}}}/file" }}
    - ansible.builtin.command: echo hi
""")
    return inventory, playbook


def sshd_cpu(pid):
    """Seconds of CPU sshd's reaped children (the sessions) used so far: cutime + cstime."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")


def check(out, n):
    """Every host's directory has its log (mode 777) and the 54 bytes; the reason otherwise."""
    for i in range(1, n + 1):
        d = f"{out}/n{i}"
        try:
            if os.stat(f"{d}/log").st_mode & 0o777 != 0o777:
                return f"{d}/log is not mode 777"
            with open(f"{d}/file") as f:
                if f.read() != CONTENT:
                    return f"{d}/file has other content"
        except OSError as err:
            return str(err)
    return None


def end_masters(control_dir):
    """Ends the ControlPersist masters a tool left behind (Ansible keeps each for 60 s): left alone, they end
    during the next tool's run, whose sshd CPU then counts theirs, and their teardown competes with it."""
    subprocess.run(["pkill", "-f", control_dir], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(50):
        if subprocess.run(["pgrep", "-f", control_dir], stdout=subprocess.DEVNULL).returncode != 0:
            return
        time.sleep(0.1)


def measure(argv, env, cwd, sshd_pid, timeout, leftovers=None):
    usage = os.path.join(cwd, "time.out")
    before = sshd_cpu(sshd_pid)
    start = time.monotonic()
    try:
        run = subprocess.run(["/usr/bin/time", "-q", "-f", "%M %U %S", "-o", usage] + argv, cwd=cwd, env=env,
                             stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                             timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"na": f"over {timeout} s"}
    wall = time.monotonic() - start
    if leftovers:
        end_masters(leftovers)
    time.sleep(0.5)  # sessions that end with the run are reaped by sshd
    sshd = sshd_cpu(sshd_pid) - before
    words = open(usage).read().split()
    if run.returncode != 0:
        tail = [l for l in run.stderr.decode(errors="replace").splitlines() if l.strip()][-1:] or [""]
        return {"na": f"exit {run.returncode}: {tail[0][:160]}"}
    rss, user, system = words[-3:]
    return {"wall_s": round(wall, 3), "rss_mb": round(int(rss) / 1024, 1), "cpu_s": round(float(user) + float(system), 2),
            "sshd_cpu_s": round(sshd, 2)}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--planrun", required=True)
    p.add_argument("--venv", required=True)
    p.add_argument("--work", required=True)
    p.add_argument("--sizes", default="25,100,250")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--only", default="")
    p.add_argument("--json", default="")
    a = p.parse_args()
    sizes = [int(s) for s in a.sizes.split(",")]
    work = os.path.abspath(a.work)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    venv = os.path.abspath(a.venv)
    python = f"{venv}/bin/python"
    bed = f"{work}/bed"
    subprocess.run([FLEETBED, "up", bed], check=True, stdout=subprocess.DEVNULL)
    e = read_env(os.path.join(bed, "env"))
    sshd_pid = int(e["PID"])
    src = write(f"{work}/file.txt", CONTENT)
    env = dict(os.environ, LC_ALL="C.UTF-8", ANSIBLE_HOME=f"{work}/ansible-home", ANSIBLE_NOCOLOR="1",
               ANSIBLE_PIPELINING="1", ANSIBLE_HOST_KEY_CHECKING="1", ANSIBLE_RETRY_FILES_ENABLED="0",
               ANSIBLE_SSH_CONTROL_PATH_DIR=f"{work}/ansible-cp", ANSIBLE_LOCAL_TEMP=f"{work}/ansible-home/tmp")
    # Does this planrun have the files issue's `copy:` step? Otherwise a stand-in writes the content.
    probe = planrun_plan(work, "/tmp/x", src, copy=True)
    has_copy = subprocess.run([a.planrun, "validate", probe], capture_output=True).returncode == 0
    results = {"copy": "copy step" if has_copy else "stand-in: printf of the content on the command line",
               "rounds": max(1, a.rounds)}
    print(f"== fleet: planrun transfer = {results['copy']}", file=sys.stderr)
    try:
        runs = {}
        for n, round_, tool in ((n, r, t) for n in sizes for r in range(max(1, a.rounds)) for t in TOOLS):
            cid = f"fleet/{n}/{tool}"
            if a.only and not re.search(a.only, cid):
                continue
            if round_ > 0 and (tool == "ansible" or "na" in runs.get(cid, [{}])[-1]):
                continue
            d = f"{work}/{tool}-{n}-{round_}"
            out = f"{work}/out/{tool}-{n}-{round_}"
            os.makedirs(d)
            os.makedirs(out)
            if tool == "limit":
                argv = ["/bin/sh", limit_script(d, e, n, out, src)]
            elif tool == "planrun":
                inventory = f"{d}/inventory.yaml"
                subprocess.run([FLEETBED, "inventory", bed, str(n), inventory], check=True)
                argv = [a.planrun, "run", planrun_plan(d, out, src, has_copy), "--inventory", inventory, "--quiet"]
            elif tool == "pyinfra":
                inventory, deploy = pyinfra_files(d, e, n, out, src)
                argv = [f"{venv}/bin/pyinfra", "-y", inventory, deploy]
            elif tool == "fabric":
                argv = [python, fabric_script(d, e, n, out, src)]
            else:
                inventory, playbook = ansible_files(d, e, n, out, src, python)
                argv = [f"{venv}/bin/ansible-playbook", "-i", inventory, "-f", str(min(n, PARALLEL)), playbook]
            if not os.access(argv[0], os.X_OK):
                r = {"na": f"{argv[0]} is not installed"}
            else:
                r = measure(argv, env, d, sshd_pid, timeout=1800,
                        leftovers=env["ANSIBLE_SSH_CONTROL_PATH_DIR"] if tool == "ansible" else None)
                if "na" not in r:
                    problem = check(out, n)
                    if problem:
                        r = {"na": f"wrong result: {problem}"}
            runs.setdefault(cid, []).append(r)
            print(f"  {cid} (round {round_ + 1}): {json.dumps(r)}", file=sys.stderr, flush=True)
        for cid, measured in runs.items():
            results[cid] = median_run(measured)
    finally:
        subprocess.run([FLEETBED, "down", bed])
    if a.json:
        with open(a.json, "w") as f:
            json.dump(results, f, indent=1)
    report(results, sizes)


def median_run(measured):
    """The run with the median wall time (the lower middle of an even count), with every wall time seen; a
    round that failed makes the whole tool n/a."""
    failed = [r for r in measured if "na" in r]
    if failed:
        return failed[0]
    ordered = sorted(measured, key=lambda r: r["wall_s"])
    return dict(ordered[(len(ordered) - 1) // 2], walls=[r["wall_s"] for r in measured])


def report(results, sizes):
    print("## Fleet: four operations per host over SSH (issue 14)\n")
    print(f"Per host: mkdir, touch + chmod 777, copy 54 bytes, `echo hi`; hosts are aliases of one loopback sshd. "
          f"planrun's copy: {results['copy']}. Each tool's median run of {results['rounds']} interleaved "
          f"round(s) (Ansible: one); every round's wall time in the last column. Load average at the end: "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} cores.\n")
    print("| N | tool | wall s | vs limit | peak RSS MB | CPU s | sshd CPU s | rounds' wall s |")
    print("|---|---|---|---|---|---|---|---|")
    for n in sizes:
        limit = results.get(f"fleet/{n}/limit", {}).get("wall_s")
        for tool in TOOLS:
            r = results.get(f"fleet/{n}/{tool}")
            if r is None:
                continue
            if "na" in r:
                print(f"| {n} | {tool} | n/a: {r['na']} | | | | | |")
                continue
            ratio = f"{r['wall_s'] / limit:.2f}x" if limit else ""
            walls = " / ".join(f"{w:.2f}" for w in r.get("walls", [r["wall_s"]]))
            print(f"| {n} | {tool} | {r['wall_s']:.2f} | {ratio} | {r['rss_mb']} | {r['cpu_s']} | {r['sshd_cpu_s']} | {walls} |")
    print("\nTargets (issue 14):")
    for n in sizes:
        get = lambda t: results.get(f"fleet/{n}/{t}", {}).get("wall_s")
        pr, lim = get("planrun"), get("limit")
        if pr is None:
            continue
        if lim:
            print(f"- N={n}: planrun within 1.15x the limit: {pr / lim:.2f}x -> {'PASS' if pr / lim <= 1.15 else 'FAIL'}")
        peers = {t: get(t) for t in ("pyinfra", "fabric", "ansible") if get(t)}
        if peers:
            slowest_ok = all(pr < w for w in peers.values())
            print(f"- N={n}: faster than every peer ({', '.join(f'{t} {w:.2f}s' for t, w in peers.items())}): "
                  f"{'PASS' if slowest_ok else 'FAIL'}")
        if n == 100:
            for t, factor in (("pyinfra", 2), ("ansible", 3)):
                if peers.get(t):
                    print(f"- N=100: at least {factor}x faster than {t}: {peers[t] / pr:.2f}x -> "
                          f"{'PASS' if peers[t] / pr >= factor else 'FAIL'}")


if __name__ == "__main__":
    main()
