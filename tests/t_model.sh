#!/usr/bin/env bash
# The rest of Jug's model: cached functions, map/reduce, tasklets, barriers
# across processes, invalidate, cleanup, graph, status --json/--times,
# value --npy, --target, the progress bar.
source "$JUG_TEST_ROOT/tests/lib.sh"
M=$BUILD/model
export JUG_TEST_LOG=$WORK/log
A="-- 100 8"
$M execute --target list_inputs $A >/dev/null # (status reads a store, which only execute makes)

# --- before anything ran: the barrier is visible, the cached set-up step ran once
run $M status $A
expect status_says_barrier test -n "$(echo "$OUT" | grep 'follow a barrier')"
expect status_lists_known_part test "$(echo "$OUT" | grep '^Total:' | awk '{print $2+$3+$4+$5}')" -eq 37

# --- barrier graph, across two concurrent execute processes
$M execute $A >out1 2>&1 &
p1=$!
$M execute $A >out2 2>&1
r2=$?
wait $p1
r1=$?
expect barrier_two_processes_exit test $r1 -eq 0 -a $r2 -eq 0
run $M value second $A
same barrier_second_half "$OUT" "[328350, 328351, 328352]"
# square runs in the map and in the mapreduce blocks; everything else once
same each_task_ran_once "$(sort "$JUG_TEST_LOG" | uniq -c | awk '($2 == "square") != ($1 == 2)' | wc -l)" 0
same cached_function_ran_once "$(grep -c '^list_inputs' "$JUG_TEST_LOG")" 1
run $M status $A
expect status_after_barrier test -z "$(echo "$OUT" | grep 'barrier')" -a "$(echo "$OUT" | grep '^Total:' | awk '{print $4}')" -eq 40

# --- map/reduce equal to a plain loop; tasklets of a list and an array
plain=$(python3 -c 'print(sum(i*i for i in range(100)))')
run $M value sum_all $A
same map_equals_loop "$OUT" "$plain"
run $M value agree $A
same mapreduce_equals_map "$OUT" true
run $M value 'reduce:add[4]' $A
same mapreduce_root "$OUT" "$plain"
run $M value pick $A
same tasklets "$OUT" "$(python3 -c "s=$plain; print(s + s % 1000)")"
same map_step_makes_blocks "$($M status --json $A | python3 -c 'import json,sys; d=json.load(sys.stdin); print([g["finished"] for g in d["groups"] if g["name"]=="map:square"][0])')" 13

# --- status --json, parsed by a JSON parser
$M status --json $A >status.json
expect status_json_parses python3 -c '
import json
d = json.load(open("status.json"))
assert d["tasks"] == 40 and d["behind_barrier"] is False
assert [g["name"] for g in d["groups"]][:3] == ["list_inputs", "map:square", "sum_all"]
assert d["total"]["finished"] == 40 and sum(g["finished"] for g in d["groups"]) == 40
assert set(d["total"]) == {"waiting", "ready", "finished", "running", "failed", "stale"}'

# --- status --times
run $M status --times $A
expect status_times test "$(echo "$OUT" | awk '$1=="second" {print $6}')" = 3 -a -n "$(echo "$OUT" | grep 'Mean (s)')"
$M status --times --json $A >times.json
expect status_times_json python3 -c '
import json
d = json.load(open("times.json"))
assert all(g["timed"] == g["finished"] and g["max_sec"] >= g["mean_sec"] >= 0 for g in d["groups"])'

# --- graph: dot, parsed back
$M graph $A >g.dot
expect graph_dot_parses python3 -c '
import re
text = open("g.dot").read()
assert text.startswith("digraph jug {") and text.rstrip().endswith("}")
nodes = dict(re.findall(r"(g\d+) \[label=\"([^\\\\\"]+)", text))
edges = {(nodes[a], nodes[b]) for a, b in re.findall(r"(g\d+) -> (g\d+);", text)}
assert len(nodes) == 10, nodes
assert ("map:square", "sum_all") in edges and ("reduce:add", "reduce:add") in edges and ("sum_all", "vec") in edges
assert ("list_inputs", "sum_all") not in edges'
$M graph --full $A >full.dot
expect graph_full_one_node_per_task test "$(grep -c 'label=' full.dot)" -eq 40

# --- value --npy, read back by a small reader
run $M value --npy v.npy vec $A
expect npy_written test "$RC" -eq 0
expect npy_reads_back python3 -c '
import ast, struct
b = open("v.npy", "rb").read()
assert b[:8] == b"\x93NUMPY\x01\x00"
n = struct.unpack("<H", b[8:10])[0]
h = ast.literal_eval(b[10:10 + n].decode())
assert (10 + n) % 64 == 0 and h["descr"] == "<f8" and h["shape"] == (3,) and h["fortran_order"] is False
assert struct.unpack("<3d", b[10 + n:]) == (0.5, 328350.0, -1.0)'
run $M value --npy bad.npy sum_all $A
expect npy_refuses_non_arrays test "$RC" -ne 0 -a ! -e bad.npy

# --- invalidate removes exactly the downstream set
run $M invalidate --dry-run 'map:square[0]' $A
# (second takes the value of sum_all, read through jug_bvalue, not the task: not downstream)
same invalidate_dry_run "$OUT" "$(printf 'Would remove 1 result of map:square\nWould remove 1 result of sum_all\nWould remove 1 result of agree\nWould remove 1 result of stats\nWould remove 1 result of vec\nWould remove 1 result of pick')"
n_before=$(find model.jugdata/results -type f | wc -l)
run $M invalidate 'map:square[0]' $A
expect invalidate_removes test "$RC" -eq 0 -a "$(find model.jugdata/results -type f | wc -l)" -eq $((n_before - 6))
run $M status --short $A
same invalidate_leaves_upstream "$OUT" "5 waiting, 1 ready, 31 finished, 0 running, 0 failed, 0 stale (37 tasks, more behind a barrier)."
: >"$JUG_TEST_LOG"
$M execute $A >/dev/null
same reexecute_runs_only_removed "$(cut -d' ' -f1 "$JUG_TEST_LOG" | sort | uniq -c | tr -s ' ' | tr '\n' ';')" " 8 square; 1 sum_all;"

# --- cleanup of leftovers from an older graph
$M execute --jugdir old.jugdata -- 40 8 >/dev/null
$M execute --jugdir old.jugdata -- 24 8 >/dev/null
n_all=$(find old.jugdata/results -type f | wc -l)
run $M cleanup --dry-run --jugdir old.jugdata -- 24 8
same cleanup_dry_run_removes_nothing "$(find old.jugdata/results -type f | wc -l)" "$n_all"
run $M cleanup --jugdir old.jugdata -- 24 8
n_left=$(find old.jugdata/results -type f | wc -l)
expect cleanup_removes_old_results test "$RC" -eq 0 -a "$n_left" -lt "$n_all"
run $M status --short --jugdir old.jugdata -- 24 8
expect cleanup_keeps_current_graph test "$OUT" = "All tasks finished ($n_left tasks)."
: >"$JUG_TEST_LOG"
$M execute --jugdir old.jugdata -- 24 8 >/dev/null
same cleanup_then_nothing_to_run "$(wc -l <"$JUG_TEST_LOG")" 0
$M execute --target list_inputs --jugdir fresh.jugdata -- 24 8 >/dev/null
run $M cleanup --jugdir fresh.jugdata -- 24 8
expect cleanup_refuses_behind_barrier test "$RC" -ne 0 -a -n "$(echo "$ERR" | grep barrier)"

# --- execute --target runs only what that task needs
run $M execute --target sum_all --jugdir t.jugdata $A
run $M status --json --jugdir t.jugdata $A
expect target_only_needed python3 -c '
import json, sys
d = json.loads(sys.argv[1])
f = {g["name"]: g["finished"] for g in d["groups"]}
assert f["sum_all"] == 1 and f["map:square"] == 13 and f["agree"] == 0 and f["reduce:add"] == 0, f' "$OUT"

# --- progress: a bar on a terminal, nothing extra in a pipe
script -qfec "$M execute --jugdir p.jugdata -- 300 4" /dev/null >tty.out 2>&1
expect progress_bar_on_terminal grep -q 'tasks/s, ETA' tty.out
run $M execute --jugdir p2.jugdata -- 300 4
expect no_bar_in_a_pipe test -z "$(echo "$OUT$ERR" | grep 'tasks/s')"
