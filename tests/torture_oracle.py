#!/usr/bin/env python3
"""The oracle of tests/torture.sh: what every result of tests/progs/torture.c
must be, computed here from its formulas (not by jug.h), and the judge of a
round's run log.

usage: torture_oracle.py SUITE ROUND T S K DIR [--no-runs]

DIR holds what the round recorded:
  log          the run log, "NAME ARG PID TID" per run of a task
  killed       the pids the test SIGKILLed, one a line
  stopped      pids of workers stopped by SIGTERM (the test's, or their -j
               parent's after a sibling was killed): they gave up the tasks they ran
  invalidated  "NAME INDEX" per `invalidate 'NAME[INDEX]'` the test ran ("NAME *": `invalidate NAME`)
  removed      "NAME COUNT" per "Removing COUNT results of NAME" they printed
  value.NAME   what `value NAME` printed (JSON) at the end
  seen         "NAME INDEX JSON" per `value 'NAME[INDEX]'` that succeeded during the run
Prints "ok SUITE.rROUND_CHECK" / "FAIL SUITE.rROUND_CHECK: why" lines, "# " notes
and one line "STATS twice=N kill=N invalidation=N both=N unexplained=N".
With --no-runs (the redis server lost its data mid-round) a task may run
again for no reason the log shows: the runs are not judged, only that every
task ran.
"""
import json
import sys

LARGE_N, RED_STEP, RED2_STEP = 20000, 50, 40


def graph(T, S, K):
    """values[name] = [value of NAME[i] for i], deps[(name, i)] = [(name, i)...]"""
    slow = [1000 * s + 7 for s in range(S)]
    tiny = [(7 * i * i + 3 * i + 11) % 100003 for i in range(T)]
    large = [[float(slow[k] + k) + n * 0.25 for n in range(LARGE_N)] for k in range(K)]
    mid = [3 * tiny[i] + slow[i % S] + i for i in range(T)]
    pick = [2 * large[k][1234 * k + 5] + k for k in range(K)]

    def weighted(xs):
        return sum((m + 1) * x for m, x in enumerate(xs))

    red = [weighted(tiny[j:j + RED_STEP]) for j in range(0, T, RED_STEP)]
    red2 = [weighted(mid[j:j + RED2_STEP]) for j in range(0, T, RED2_STEP)]
    # (the C code sums in the same order, and every partial sum is exact)
    biggest = 0.0
    for k in range(K):
        s = 0.0
        for x in large[k]:
            s += x
        biggest += (k + 1) * s
    final = [sum(red), sum(red2), biggest, sum(slow), sum(pick)]
    values = dict(slow=slow, tiny=tiny, large=large, mid=mid, pick=pick, red=red, red2=red2,
                  biggest=[biggest], final=[final])
    deps = {}
    for k in range(K):
        deps[("large", k)] = [("slow", k)]
        deps[("pick", k)] = [("large", k)]
    for i in range(T):
        deps[("mid", i)] = [("tiny", i), ("slow", i % S)]
    for j in range(len(red)):
        deps[("red", j)] = [("tiny", m) for m in range(j * RED_STEP, min(T, (j + 1) * RED_STEP))]
    for j in range(len(red2)):
        deps[("red2", j)] = [("mid", m) for m in range(j * RED2_STEP, min(T, (j + 1) * RED2_STEP))]
    deps[("biggest", 0)] = [("large", k) for k in range(K)]
    deps[("final", 0)] = ([("red", j) for j in range(len(red))] + [("red2", j) for j in range(len(red2))] +
                          [("biggest", 0)] + [("slow", s) for s in range(S)] + [("pick", k) for k in range(K)])
    return values, deps


def downstream(deps, target):
    """target and every task that depends on it, directly or not"""
    users = {}
    for t, ds in deps.items():
        for d in ds:
            users.setdefault(d, []).append(t)
    seen, todo = {target}, [target]
    while todo:
        for u in users.get(todo.pop(), []):
            if u not in seen:
                seen.add(u)
                todo.append(u)
    return seen


def lines(path):
    try:
        with open(path) as f:
            return [l.split() for l in f if l.strip()]
    except FileNotFoundError:
        return []


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    judge_runs = "--no-runs" not in sys.argv
    suite, rnd, T, S, K, d = args[0], args[1], int(args[2]), int(args[3]), int(args[4]), args[5]
    pre = "%s.r%s_" % (suite, rnd)

    def check(name, bad):
        if bad:
            print("FAIL %s%s: %s" % (pre, name, "; ".join(bad[:6]) + (" (and %d more)" % (len(bad) - 6) if len(bad) > 6 else "")))
        else:
            print("ok %s%s" % (pre, name))

    values, deps = graph(T, S, K)

    # --- every value as the formulas say
    bad = []
    nwrong = 0
    for name, want in values.items():
        try:
            with open("%s/value.%s" % (d, name)) as f:
                text = f.read()
            got = json.loads(text)
        except (OSError, ValueError) as e:
            bad.append("value %s: unreadable: %s" % (name, str(e)[:80]))
            continue
        if len(want) == 1:
            got = [got]
        if not isinstance(got, list) or len(got) != len(want):
            bad.append("value %s: %d values, want %d" % (name, len(got) if isinstance(got, list) else -1, len(want)))
            continue
        for i, (g, w) in enumerate(zip(got, want)):
            if g != w:  # (JSON writes a whole double as an int: 2.0 is 2)
                nwrong += 1
                if name == "large":
                    diff = [n for n in range(min(len(g), len(w))) if g[n] != w[n]] if isinstance(g, list) else []
                    bad.append("%s[%d] differs (len %s, %d elements differ, first at %s)" % (
                        name, i, len(g) if isinstance(g, list) else "?", len(diff), diff[:1]))
                else:
                    bad.append("%s[%d] = %s, want %s" % (name, i, json.dumps(g)[:60], json.dumps(w)[:60]))
    check("values_as_the_oracle_says", bad)

    # --- values read while the workers ran (and the tester invalidated): right too
    bad = []
    for l in lines(d + "/seen"):
        name, i, text = l[0], int(l[1]), " ".join(l[2:])
        try:
            got = json.loads(text)
        except ValueError:
            bad.append("%s[%d]: [%s] is not JSON" % (name, i, text[:60]))
            continue
        if got != values[name][i]:
            nwrong += 1
            bad.append("%s[%d] read as %s, want %s" % (name, i, text[:60], json.dumps(values[name][i])[:60]))
    check("values_read_during_the_run_as_the_oracle_says", bad)

    # --- the run log
    log = lines(d + "/log")
    killed = {int(l[0]) for l in lines(d + "/killed")}
    stopped = {int(l[0]) for l in lines(d + "/stopped")} - killed
    invalidated = [(l[0], int(l[1]) if l[1] != "*" else "*") for l in lines(d + "/invalidated")]
    runs, pids, malformed = {}, {}, []
    last = {}  # (pid, tid): the line of its last run, the one a kill or a stop interrupts
    interruptible = {}  # task: how many of its runs were the last of a thread that was killed or stopped
    for n, l in enumerate(log):
        if len(l) != 4 or l[0] not in values or not l[1].isdigit() or int(l[1]) >= len(values[l[0]]) or \
                not l[2].isdigit() or not l[3].isdigit():
            malformed.append(" ".join(l))
            continue
        t = (l[0], int(l[1]))
        runs[t] = runs.get(t, 0) + 1
        pids.setdefault(t, []).append(int(l[2]))
        last[(int(l[2]), int(l[3]))] = t
    cut_by_kill = {}
    for (pid, _), t in last.items():
        if pid in killed or pid in stopped:
            interruptible[t] = interruptible.get(t, 0) + 1
        if pid in killed:
            cut_by_kill[t] = cut_by_kill.get(t, 0) + 1
    everything = [(n, i) for n, vs in values.items() for i in range(len(vs))]
    never = ["%s[%d]" % t for t in everything if t not in runs]
    check("log_well_formed", ["line [%s]" % m for m in malformed])
    check("every_task_ran", ["%s never ran" % t for t in never])

    # --- what invalidate said it removed: the target and what depends on it, no more
    # (each invalidate removes at most its closure's count of a name; summed over them)
    closures = []
    for name, i in invalidated:  # ("NAME", "*"): every task of that name
        c = set()
        for k in (range(len(values[name])) if i == "*" else [i]):
            c |= downstream(deps, (name, k))
        closures.append(c)
    removed = {}
    for l in lines(d + "/removed"):
        removed[l[0]] = removed.get(l[0], 0) + int(l[1])
    limit = {}
    for c in closures:
        for n, _ in c:
            limit[n] = limit.get(n, 0) + 1
    check("invalidate_removes_only_downstream",
          ["removed %d results of %s, at most %d are downstream of the targets" % (removed[n], n, limit.get(n, 0))
           for n in removed if removed[n] > limit.get(n, 0)])

    stats = dict(twice=0, kill=0, stop=0, invalidation=0, both=0, unexplained=0)
    if judge_runs:
        # a task runs again only when a run of it was cut short (the last task
        # a thread of a killed worker ran: a batch loses no more; or of one
        # stopped by SIGTERM, ours or its -j parent's), or it was invalidated
        # (itself or upstream) after a run: at most once more for each
        covered = {}
        for c in closures:
            for t in c:
                covered[t] = covered.get(t, 0) + 1
        bad = []
        for t, c in sorted(runs.items()):
            if c < 2:
                continue
            stats["twice"] += 1
            k = sum(1 for p in pids[t] if p in killed)
            st = sum(1 for p in pids[t] if p in stopped)
            cut = interruptible.get(t, 0)
            v = covered.get(t, 0)
            if c - 1 > cut + v:
                stats["unexplained"] += 1
                bad.append("%s[%d] ran %d times (pids %s; %d by killed ones, %d by stopped ones, %d of them the last "
                           "of its thread), invalidated %d times" % (
                               t[0], t[1], c, " ".join(map(str, pids[t])), k, st, cut, v))
            elif cut and v:
                stats["both"] += 1
            elif cut_by_kill.get(t, 0):
                stats["kill"] += 1
            elif cut:
                stats["stop"] += 1
            else:
                stats["invalidation"] += 1
        check("runs_again_only_when_killed_or_invalidated", bad)
    else:
        print("# r%s: the server lost its data: runs not judged (%d tasks ran more than once)" % (
            rnd, sum(1 for c in runs.values() if c > 1)))
        stats["twice"] = sum(1 for c in runs.values() if c > 1)
    print("STATS " + " ".join("%s=%d" % kv for kv in stats.items()) + " wrong=%d" % nwrong)


main()
