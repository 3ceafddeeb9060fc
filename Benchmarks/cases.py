#!/usr/bin/env python3
"""Write the workloads of issue 5 for every tool, and the list of benchmark cases to run them.

    cases.py --work DIR --planrun PATH --venv DIR --events PATH [--testbed DIR] [--root DIR]
             [--quick] [--full] [--rounds N] [--only REGEX] > CASES.json

Case ids say workload/size/tool (`steps/100/planrun`, `fanout/ansible`, `ssh/ssh`,
`parse/5000/libyaml`, `memory/status/planrun`); Benchmarks/report.py reads them back that way.
A case that cannot run here gets "na" with the reason, so the rest of the benchmark still runs.
Ansible is slow (about half a second a task), so by default it runs N = 10 and 100 only and its
syntax check up to 5,000 steps, in at most 3 rounds; --full runs it everywhere.
"""
import argparse
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gen_plan  # noqa: E402
import files_cases  # noqa: E402

FANOUT_NODES = 20
FANOUT_SLEEP = "0.2"


def write(path, text, mode=0o644):
    with open(path, "w") as f:
        f.write(text)
    os.chmod(path, mode)
    return path


def read_env(path):
    """The KEY=VALUE lines of scripts/testbed's DIR/env (values there are plain paths and numbers)."""
    env = {}
    with open(path) as f:
        for line in f:
            key, _, value = line.strip().partition("=")
            env[key] = value
    return env


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--work", required=True)
    p.add_argument("--planrun", required=True)
    p.add_argument("--venv", required=True)
    p.add_argument("--events", required=True)
    p.add_argument("--testbed", default="")
    p.add_argument("--root", default=os.getcwd())
    p.add_argument("--quick", action="store_true")
    p.add_argument("--full", action="store_true")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--only", default="", help="keep only the cases whose id matches this regular expression")
    a = p.parse_args()

    work = os.path.abspath(a.work)
    os.makedirs(work, exist_ok=True)
    planrun = os.path.abspath(a.planrun)
    vpy = os.path.join(os.path.abspath(a.venv), "bin", "python")
    playbook = os.path.join(os.path.abspath(a.venv), "bin", "ansible-playbook")
    task = os.path.join(os.path.abspath(a.venv), "bin", "task")
    ansible_env = {
        "ANSIBLE_HOME": os.path.join(work, "ansible-home"),
        "ANSIBLE_LOCAL_TEMP": os.path.join(work, "ansible-home", "tmp"),
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_RETRY_FILES_ENABLED": "0",
        "ANSIBLE_LOCALHOST_WARNING": "0",
        "ANSIBLE_INVENTORY_UNPARSED_WARNING": "0",
        "ANSIBLE_SSH_CONTROL_PATH_DIR": os.path.join(work, "ansible-cp"),
        "LC_ALL": "C.UTF-8",  # ansible-core refuses to start without a UTF-8 locale
    }
    slow_rounds = a.rounds if a.full else min(a.rounds, 3)
    cases = []

    def case(cid, argv, **extra):
        c = {"id": cid, "argv": argv, "cwd": work}
        c.update(extra)
        if argv[0].startswith("/") and not os.access(argv[0], os.X_OK) and "na" not in c:
            c["na"] = f"{argv[0]} is not there"
        cases.append(c)

    def ansible_case(cid, argv, env=None):
        case(cid, [playbook] + argv, env=env or ansible_env, rounds=slow_rounds)

    # 1. N trivial local steps
    sizes = [10] if a.quick else [10, 100, 200, 500]
    for n in sizes:
        d = os.path.join(work, f"steps-{n}")
        os.makedirs(d, exist_ok=True)
        plan = write(f"{d}/plan.yaml", gen_plan.planrun_trivial(n, "local"))
        loop = write(f"{d}/loop.sh", gen_plan.shellloop(n, "local", ""), 0o755)
        tf = write(f"{d}/Taskfile.yml", gen_plan.taskfile(n))
        tf_builtin = write(f"{d}/Taskfile-builtin.yml", gen_plan.taskfile(n, builtin=True))
        pb = write(f"{d}/playbook.yml", gen_plan.ansible(n, vpy, "local"))
        # Runs of 0.1 s or less are sampled several times a round: one noisy run would swamp them.
        cheap = {"samples": 3} if n <= 100 else {}
        case(f"steps/{n}/planrun", [planrun, "run", plan], **cheap)
        case(f"steps/{n}/shell", ["/bin/sh", loop], **cheap)
        case(f"steps/{n}/task", [task, "--taskfile", tf, "--silent", "default"], **cheap)
        case(f"steps/{n}/taskbuiltin", [task, "--taskfile", tf_builtin, "--silent", "default"], **cheap)
        if n <= 100 or a.full:
            ansible_case(f"steps/{n}/ansible", ["-i", "localhost,", pb])

    # 2. Fan-out: one `sleep 0.2` on 20 local nodes, at most 5 at a time (ideal 0.8 s)
    d = os.path.join(work, "fanout")
    os.makedirs(d, exist_ok=True)
    plan = write(f"{d}/plan.yaml", gen_plan.planrun_fanout(FANOUT_NODES, FANOUT_SLEEP))
    pb = write(f"{d}/playbook.yml", gen_plan.ansible(1, vpy, "local", FANOUT_SLEEP, fanout=True))
    hosts = ",".join(f"n{i:02d}" for i in range(1, FANOUT_NODES + 1)) + ","
    case("fanout/planrun", [planrun, "run", plan])
    ansible_case("fanout/ansible", ["-i", hosts, "-f", "5", pb])

    # 3. SSH: 20 steps on the test bed's follower
    steps = 10 if a.quick else 20
    d = os.path.join(work, "ssh")
    os.makedirs(d, exist_ok=True)
    tb_env = os.path.join(a.testbed, "env") if a.testbed else ""
    if tb_env and os.path.exists(tb_env):
        tb = read_env(tb_env)
        inventory = tb["TESTBED_INVENTORY"]
        plan = write(f"{d}/plan.yaml", gen_plan.planrun_trivial(steps, "follower"))
        loop = write(f"{d}/loop.sh", gen_plan.shellloop(steps, "follower", tb["TESTBED_SSH_CONFIG"]), 0o755)
        pb = write(f"{d}/playbook.yml", gen_plan.ansible(steps, vpy, "ssh"))
        inv = write(f"{d}/hosts.ini", (
            f"follower ansible_host=127.0.0.1 ansible_port={tb['FOLLOWER_PORT']} ansible_user={tb['TESTBED_USER']}"
            f" ansible_ssh_private_key_file={tb['TESTBED_KEY']}"
            f" ansible_ssh_common_args='-o UserKnownHostsFile={tb['TESTBED_KNOWN_HOSTS']}"
            " -o StrictHostKeyChecking=yes -o IdentitiesOnly=yes'\n"))
        case("ssh/planrun", [planrun, "run", plan, "--inventory", inventory])
        case("ssh/ssh", ["/bin/sh", loop])
        ansible_case("ssh/ansible", ["-i", inv, pb], env=dict(ansible_env, ANSIBLE_PIPELINING="1"))
    else:
        for tool in ("planrun", "ssh", "ansible"):
            case(f"ssh/{tool}", ["/bin/true"], na="no test bed (scripts/testbed up failed)")

    # 4. Parse: planrun validate against the libyaml event loop and ansible --syntax-check
    sizes = [500] if a.quick else [500, 5000, 50000]
    d = os.path.join(work, "parse")
    os.makedirs(d, exist_ok=True)
    for n in sizes:
        plan = write(f"{d}/plan-{n}.yaml", gen_plan.planrun_full(n, "local"))
        cheap = {"samples": 5} if n <= 5000 else {}
        case(f"parse/{n}/planrun", [planrun, "validate", plan], **cheap)
        case(f"parse/{n}/libyaml", [os.path.abspath(a.events), plan], **cheap)
        if n <= 5000 or a.full:
            pb = write(f"{d}/playbook-{n}.yml", gen_plan.ansible(n, vpy, "local"))
            ansible_case(f"parse/{n}/ansible", ["--syntax-check", "-i", "localhost,", pb])

    # 5. Memory of a node-coordinator status run on the test bed (RSS of every case is kept too)
    coordinator = os.path.join(os.path.abspath(a.root), "plans", "node-coordinator.yaml")
    if not os.path.exists(coordinator):
        case("memory/status/planrun", ["/bin/true"], na="plans/node-coordinator.yaml is not there yet")
    elif not (tb_env and os.path.exists(tb_env)):
        case("memory/status/planrun", ["/bin/true"], na="no test bed")
    else:
        case("memory/status/planrun", [planrun, "run", coordinator, "--inventory", inventory,
                                       "-i", "operation=status"], rounds=1)

    # 6. Files (issue 12): copy to 20 nodes and a large copy to one, against ssh 'cat > f'
    files_cases.add(case, write, work, planrun, tb if tb_env and os.path.exists(tb_env) else None, a.quick)

    if a.only:
        cases = [c for c in cases if re.search(a.only, c["id"])]
    json.dump(cases, sys.stdout, indent=1)


if __name__ == "__main__":
    main()
