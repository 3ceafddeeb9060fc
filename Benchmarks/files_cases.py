"""The file-transfer workloads of issue 12, for Benchmarks/cases.py (ids copy/...):

- copy/20x1MB/planrun: a `copy` of a 1 MB file to 20 SSH nodes (max_parallel 20), against
  copy/20x1MB/ssh: 20 parallel `ssh NODE 'cat > f' < file`, each through its node's own ControlMaster
  (opened, used, closed, as planrun does);
- copy/100MB/planrun: a `copy` of a 100 MB file to one node, against copy/100MB/ssh: one plain
  `ssh NODE 'cat > f' < file` through a ControlMaster.

Each of the 20 nodes is an sshd of its own on 127.0.0.1 (started here from the test bed's genesis config,
host key and authorized keys; `files_cases.py down DIR` stops them by pid, as Benchmarks/run does on
exit), so each has its own ControlMaster, as 20 real hosts would. Every round first removes the files the
last round wrote, so each copy really writes (a second identical copy would only compare).
"""
import os
import re
import signal
import socket
import subprocess
import sys
import time


def random_file(path, size):
    if not os.path.exists(path) or os.path.getsize(path) != size:
        with open(path, "wb") as f:
            left = size
            while left:
                chunk = min(left, 1 << 20)
                f.write(os.urandom(chunk))
                left -= chunk
    return path


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_sshds(tb, d, count):
    """`count` sshd on free ports, each with the genesis node's config; their pids in d/sshd.pids."""
    down(d)
    base = open(f"{tb['TESTBED_DIR']}/nodes/genesis/sshd/sshd_config").read()
    key = open(tb["TESTBED_KNOWN_HOSTS"]).readline().split(" ", 1)[1]
    ports, pids, known = [], [], []
    for i in range(count):
        port = free_port()
        cfg = re.sub(r"(?m)^Port .*$", f"Port {port}", base)
        cfg = re.sub(r"(?m)^PidFile .*$", f"PidFile {d}/sshd-{i}.pid", cfg)
        path = f"{d}/sshd-{i}.conf"
        with open(path, "w") as f:
            f.write(cfg)
        pids.append(subprocess.Popen(["/usr/sbin/sshd", "-D", "-e", "-f", path], stderr=subprocess.DEVNULL).pid)
        ports.append(port)
        known.append(f"[127.0.0.1]:{port} {key}")
    with open(f"{d}/sshd.pids", "w") as f:
        f.write("\n".join(map(str, pids)) + "\n")
    with open(f"{d}/known_hosts", "w") as f:
        f.write("".join(known))
    for port in ports:  # wait until each accepts
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)
    return ports


def down(d):
    """Stops the sshd that start_sshds started (by pid); idempotent."""
    path = f"{d}/sshd.pids"
    if os.path.exists(path):
        for line in open(path):
            try:
                os.kill(int(line), signal.SIGTERM)
            except (ValueError, ProcessLookupError):
                pass
        os.remove(path)


def nodes(tb, ports):
    """(name, port, data_dir) per node; all write into the genesis node's data directory."""
    data = f"{tb['TESTBED_DIR']}/nodes/genesis/data"
    return [(f"n{i + 1:02d}", port, data) for i, port in enumerate(ports)]


def inventory(tb, d, nodes_):
    lines = ["nodes:"]
    for name, port, data in nodes_:
        lines += [
            f"  {name}:",
            "    host: 127.0.0.1",
            f"    port: {port}",
            f"    user: {tb['TESTBED_USER']}",
            f"    identity_file: {tb['TESTBED_KEY']}",
            f"    ssh_options: {{ UserKnownHostsFile: '{d}/known_hosts', StrictHostKeyChecking: 'yes' }}",
            f"    vars: {{ data: '{data}' }}",
        ]
    return "\n".join(lines) + "\n"


def plan(src, count):
    return f"""planrun: 1
policy: {{ max_parallel: {count}, default_timeout: 120s }}
operations:
  copy:
    execute:
      - id: copy
        target: [{", ".join(f"n{i + 1:02d}" for i in range(count))}]
        copy: {{ src: {src}, dest: "${{{{ node.vars.data }}}}/bench-planrun-${{{{ node.name }}}}.bin" }}
"""


def ssh_loop(tb, d, nodes_, src):
    """Parallel `cat > f` through a master per node: open the masters, stream, close them."""
    def ssh(port):
        return (f"ssh -o BatchMode=yes -o ControlPath=\"$ctl/%C\" -o UserKnownHostsFile='{d}/known_hosts'"
                f" -o StrictHostKeyChecking=yes -o IdentitiesOnly=yes -i '{tb['TESTBED_KEY']}' -p {port}"
                f" -l {tb['TESTBED_USER']}")
    lines = ["#!/bin/sh", "set -e", "ctl=$(mktemp -d)", "trap 'rm -rf \"$ctl\"' EXIT"]
    lines += [f"rm -f {data}/bench-ssh-{name}.bin" for name, _, data in nodes_]
    lines += [f"{ssh(p)} -o ControlMaster=yes -o ControlPersist=60 -fN -- 127.0.0.1 &" for _, p, _ in nodes_]
    lines.append("wait")
    lines += [f"{ssh(p)} -- 127.0.0.1 'cat > {data}/bench-ssh-{name}.bin' < '{src}' &" for name, p, data in nodes_]
    lines.append("wait")
    lines += [f"{ssh(p)} -O exit -- 127.0.0.1 2>/dev/null &" for _, p, _ in nodes_]
    lines.append("wait")
    return "\n".join(lines) + "\n"


def add(case, write, work, planrun, tb, quick):
    d = os.path.join(work, "copy")
    os.makedirs(d, exist_ok=True)
    sizes = [("20x1MB", 20, 1 << 20)] + ([] if quick else [("100MB", 1, 100 << 20)])
    if tb is None:
        for label, _, _ in sizes:
            for tool in ("planrun", "ssh"):
                case(f"copy/{label}/{tool}", ["/bin/true"], na="no test bed (scripts/testbed up failed)")
        return
    ports = start_sshds(tb, d, max(count for _, count, _ in sizes))
    for label, count, size in sizes:
        src = random_file(f"{d}/{label}.bin", size)
        nodes_ = nodes(tb, ports[:count])
        inv = write(f"{d}/inventory-{label}.yaml", inventory(tb, d, nodes_))
        p = write(f"{d}/plan-{label}.yaml", plan(src, count))
        clean = " ".join(f"{data}/bench-planrun-{name}.bin" for name, _, data in nodes_)
        run = write(f"{d}/planrun-{label}.sh",
                    f"#!/bin/sh\nrm -f {clean}\nexec '{planrun}' run '{p}' --inventory '{inv}' -q >/dev/null\n", 0o755)
        loop = write(f"{d}/ssh-{label}.sh", ssh_loop(tb, d, nodes_, src), 0o755)
        case(f"copy/{label}/planrun", ["/bin/sh", run])
        case(f"copy/{label}/ssh", ["/bin/sh", loop])


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "down":
        down(sys.argv[2])
    else:
        sys.exit("usage: files_cases.py down DIR")
