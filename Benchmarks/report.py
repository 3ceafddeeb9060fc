#!/usr/bin/env python3
"""Print Benchmarks/run's results as Markdown tables, and whether each target of issues 2, 3 and 5 holds.

    report.py RESULTS.json [--quick]

Figures are medians of whole-process wall times (seconds) over the interleaved rounds; ratios are
tool / planrun (above 1: planrun is faster). Start-up and per-step cost come from a least-squares
line through the medians of the N-step workload. A target prints PASS or FAIL with its numbers, or
n/a with the reason when a case could not run. --quick marks the verdicts as indicative only (one
round of the smallest sizes is too noisy to judge by). Standard library only.
"""
import json
import statistics
import sys

TOOLS = {"planrun": "planrun", "shell": "sh -c loop", "task": "go-task",
         "taskbuiltin": "go-task, `true` built in (no process)", "ansible": "ansible-playbook",
         "ssh": "plain ssh loop", "libyaml": "libyaml event loop (C)"}


class Results:
    def __init__(self, data):
        self.data = data

    def median(self, cid):
        r = self.data.get(cid)
        if not r or r["na"] or not r["times"]:
            return None
        return statistics.median(r["times"])

    def why(self, cid):
        r = self.data.get(cid)
        if r is None:
            return "not measured"
        return r["na"] or ("no successful round" if not r["times"] else "")

    def rss_mib(self, cid):
        r = self.data.get(cid)
        return r["rss_kib"] / 1024 if r and not r["na"] and r["rss_kib"] else None

    def measured(self, prefix):
        """Whether any case under prefix was run (--only may leave whole sections out)."""
        return any(k.startswith(prefix + "/") for k in self.data)

    def sizes(self, prefix):
        return sorted({int(k.split("/")[1]) for k in self.data if k.startswith(prefix + "/")})


def fmt(x, unit="s"):
    if x is None:
        return "n/a"
    return f"{x:.3f} {unit}" if unit == "s" else f"{x:.1f} {unit}"


def ratio(x, base):
    return f" ({x / base:.2f}×)" if x is not None and base else ""


def fit(points):
    """(intercept, slope) of the least-squares line through (n, seconds), or None with fewer than 2."""
    if len(points) < 2:
        return None
    xs, ys = zip(*points)
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx
    return my - slope * mx, slope


class Verdicts:
    def __init__(self, quick):
        self.lines = []
        self.quick = quick

    def check(self, issue, what, ok, detail):
        if ok is None:
            mark = "n/a "
        else:
            mark = "PASS" if ok else "FAIL"
        self.lines.append(f"{mark}  issue {issue}: {what} — {detail}")


def steps_table(res, v):
    sizes = res.sizes("steps")
    print("## 1. N trivial local steps (median wall time; ratio = tool / planrun)\n")
    print("| tool | " + " | ".join(f"N = {n}" for n in sizes) + " | start-up | per step | peak RSS (N = 100) |")
    print("|---" * (len(sizes) + 4) + "|")
    fits = {}
    for tool in ("planrun", "shell", "task", "taskbuiltin", "ansible"):
        cells, points = [], []
        for n in sizes:
            m = res.median(f"steps/{n}/{tool}")
            base = res.median(f"steps/{n}/planrun")
            cells.append(fmt(m) + ("" if tool == "planrun" else ratio(m, base)))
            if m is not None:
                points.append((n, m))
        f = fit(points)
        fits[tool] = f
        start = fmt(f[0]) if f else "n/a"
        slope = f"{f[1] * 1000:.2f} ms" if f else "n/a"
        rss_n = 100 if 100 in sizes else sizes[0]
        print(f"| {TOOLS[tool]} | " + " | ".join(cells) + f" | {start} | {slope} | {fmt(res.rss_mib(f'steps/{rss_n}/{tool}'), 'MB')} |")
    print()
    print("Every step starts one `sh -c true` process, in every tool but the row marked \"no process\": there go-task's")
    print("own shell interpreter runs `true` itself. That row shows go-task's cost without a process; the")
    print("target compares the same work.\n")

    p, s = fits.get("planrun"), fits.get("shell")
    if p and s:
        v.check(5, "per-step slope at most 1.5× the shell loop's", p[1] <= 1.5 * s[1],
                f"{p[1] * 1000:.2f} ms vs {s[1] * 1000:.2f} ms ({p[1] / s[1]:.2f}×)")
    else:
        v.check(5, "per-step slope at most 1.5× the shell loop's", None, "needs two sizes of planrun and shell")
    for tool, factor in (("task", 2), ("ansible", 100)):
        pm, tm = res.median("steps/100/planrun"), res.median(f"steps/100/{tool}")
        what = f"at least {factor}× faster than {TOOLS[tool]} at N = 100"
        if pm and tm:
            v.check(5, what, tm / pm >= factor, f"{pm:.3f} s vs {tm:.3f} s ({tm / pm:.1f}×)")
        else:
            v.check(5, what, None, res.why("steps/100/planrun") or res.why(f"steps/100/{tool}"))
    pm, sm = res.median("steps/200/planrun"), res.median("steps/200/shell")
    what = "200 local steps at most 1.5× a shell loop of 200 `sh -c true`"
    if pm and sm:
        v.check(3, what, pm <= 1.5 * sm, f"{pm:.3f} s vs {sm:.3f} s ({pm / sm:.2f}×)")
    else:
        v.check(3, what, None, res.why("steps/200/planrun") or res.why("steps/200/shell") or "N = 200 not run")


def fanout_table(res, v, ideal=0.8):
    print("## 2. Fan-out: `sleep 0.2` on 20 local nodes, 5 at a time (ideal 0.8 s)\n")
    print("| tool | median | above ideal | peak RSS |")
    print("|---|---|---|---|")
    for tool in ("planrun", "ansible"):
        m = res.median(f"fanout/{tool}")
        over = f"{(m - ideal) * 1000:.0f} ms ({(m / ideal - 1) * 100:.0f}%)" if m else "n/a"
        print(f"| {TOOLS[tool]} | {fmt(m)} | {over} | {fmt(res.rss_mib(f'fanout/{tool}'), 'MB')} |")
    print()
    m = res.median("fanout/planrun")
    # faster than ideal is wrong too: more than 5 at a time, or the sleeps never ran
    v.check(5, "fan-out within 10% of ideal", ideal * 0.95 <= m <= ideal * 1.1 if m else None,
            f"{m:.3f} s vs {ideal} s ({(m / ideal - 1) * 100:+.0f}%)" if m else res.why("fanout/planrun"))


def ssh_table(res, v):
    print("## 3. SSH: trivial steps on the test bed's follower (ratio = tool / planrun)\n")
    print("| tool | median | ratio | peak RSS |")
    print("|---|---|---|---|")
    base = res.median("ssh/planrun")
    for tool in ("planrun", "ssh", "ansible"):
        m = res.median(f"ssh/{tool}")
        print(f"| {TOOLS[tool]} | {fmt(m)} | {ratio(m, base).strip(' ()') or '—'} | {fmt(res.rss_mib(f'ssh/{tool}'), 'MB')} |")
    print()
    m, s = res.median("ssh/planrun"), res.median("ssh/ssh")
    what = "SSH steps at most 0.6× as many plain `ssh host true`"
    if m and s:
        v.check(3, what, m <= 0.6 * s, f"{m:.3f} s vs {s:.3f} s ({m / s:.2f}×)")
    else:
        v.check(3, what, None, res.why("ssh/planrun") or res.why("ssh/ssh"))


def parse_table(res, v):
    sizes = res.sizes("parse")
    print("## 4. Parse: validate a generated plan (ratio = tool / libyaml event loop)\n")
    print("| tool | " + " | ".join(f"{n} steps" for n in sizes) + " |")
    print("|---" * (len(sizes) + 1) + "|")
    for tool in ("libyaml", "planrun", "ansible"):
        cells = []
        for n in sizes:
            m = res.median(f"parse/{n}/{tool}")
            cells.append(fmt(m) + ("" if tool == "libyaml" else ratio(m, res.median(f"parse/{n}/libyaml"))))
        print(f"| {TOOLS[tool]} | " + " | ".join(cells) + " |")
    print()
    for n in sizes:
        m, c = res.median(f"parse/{n}/planrun"), res.median(f"parse/{n}/libyaml")
        issue = "2" if n == 5000 else "5"
        what = f"validate of {n} steps within 3× the libyaml event loop"
        if m and c:
            v.check(issue, what, m <= 3 * c, f"{m:.3f} s vs {c:.3f} s ({m / c:.2f}×)")
        else:
            v.check(issue, what, None, res.why(f"parse/{n}/planrun") or res.why(f"parse/{n}/libyaml"))
    for small, big in zip(sizes, sizes[1:]):
        a, b = res.median(f"parse/{small}/planrun"), res.median(f"parse/{big}/planrun")
        k = big / small
        what = f"{k:.0f}× the steps ({small} → {big}) at most {k * 1.1:.0f}× the validate time"
        issue = "2" if big == 50000 else "5"
        if a and b:
            v.check(issue, what, b <= 1.1 * k * a, f"{a:.3f} s → {b:.3f} s ({b / a:.1f}×)")
        else:
            v.check(issue, what, None, res.why(f"parse/{small}/planrun") or res.why(f"parse/{big}/planrun"))


def memory_table(res, v, limit=30):
    print("## 5. Memory: peak resident set of planrun\n")
    print("| run | peak RSS |")
    print("|---|---|")
    steps = res.sizes("steps")
    n = 100 if 100 in steps else (steps[0] if steps else 100)
    rows = [(f"steps/{n}/planrun", f"{n} trivial local steps"),
            ("memory/status/planrun", "node-coordinator status on the test bed")]
    for cid, label in rows:
        print(f"| {label} | {fmt(res.rss_mib(cid), 'MB') if res.rss_mib(cid) else 'n/a: ' + res.why(cid)} |")
    print()
    for cid, label in rows:
        r = res.rss_mib(cid)
        issue = "4/5" if cid.startswith("memory") else "5"
        v.check(issue, f"peak RSS under {limit} MB ({label})", r < limit if r else None,
                f"{r:.1f} MB" if r else res.why(cid))


def copy_table(res, v):
    print("## 6. Files: copy over SSH (ratio = planrun / ssh 'cat > f')\n")
    print("One planrun run with a `copy` step against `ssh NODE 'cat > f' < file`, each through a ControlMaster per")
    print("node that is opened and closed in the timed run. planrun's copy also compares with the old file, sets")
    print("the mode, flushes the new file to disk (`sync FILE`) and renames it into place; `cat > f` does none of that.\n")
    print("| workload | planrun | ssh cat | ratio |")
    print("|---|---|---|---|")
    targets = {"20x1MB": ("1 MB to 20 nodes", 1.3), "100MB": ("100 MB to one node", 1.2)}
    for label, (what, limit) in targets.items():
        m, s = res.median(f"copy/{label}/planrun"), res.median(f"copy/{label}/ssh")
        if not res.measured(f"copy/{label}"):
            continue
        print(f"| {what} | {fmt(m)} | {fmt(s)} | {ratio(m, s).strip(' ()') or '—'} |")
        check = f"copy of {what} within {limit}× ssh 'cat > f'"
        if m and s:
            v.check(12, check, m <= limit * s, f"{m:.3f} s vs {s:.3f} s ({m / s:.2f}×)")
        else:
            v.check(12, check, None, res.why(f"copy/{label}/planrun") or res.why(f"copy/{label}/ssh"))
    print()


def main():
    args = sys.argv[1:]
    quick = "--quick" in args
    args = [x for x in args if x != "--quick"]
    if len(args) != 1:
        sys.exit(__doc__)
    res = Results(json.load(open(args[0])))
    v = Verdicts(quick)
    sections = (("steps", steps_table), ("fanout", fanout_table), ("ssh", ssh_table),
                ("parse", parse_table), ("memory", memory_table), ("copy", copy_table))
    for prefix, table in sections:
        # memory reads the steps workload too; with --only a section none of whose cases ran is left out
        if res.measured(prefix) or (prefix == "memory" and res.measured("steps")):
            table(res, v)
    failures = sum(r.get("failures", 0) for r in res.data.values())
    print("## Targets" + (" (quick mode: one round of small sizes, indicative only)" if quick else "") + "\n")
    print("```")
    print("\n".join(v.lines))
    print("```")
    if failures:
        print(f"\n{failures} timed run(s) exited non-zero after a good warm-up and were left out of the medians.")


if __name__ == "__main__":
    main()
