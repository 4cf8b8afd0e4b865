#!/usr/bin/env bash
# The API rules of jug_task and the typed tasks (JUG_TASK0..JUG_TASK8), with
# the programs of tests/api:
# - what must not compile (reject.c): an argument jug_task cannot convert, nine
#   or more arguments, a typed task's parameter it cannot unpack; with gcc and
#   clang -std=c11 and g++ -std=c++11, no warning flags (a refusal that is only
#   a warning would let a user through), the first error naming the rule;
# - what must compile cleanly under -Werror and run right (accept.c, logexp.c);
# - graphs whose build must fail at run time with one line naming the task,
#   plainly and under ASan+UBSan (build_fail.c);
# - the same hashes from a C and a C++ build, and for a const jug_value * from
#   jug_bvalue from run to run (identity.c).
# JUG_H_DIR: the directory of the jug.h under test (default: this tree's), to
# see the suite fail on an older one.
source "$JUG_TEST_ROOT/tests/lib.sh"
HDR=${JUG_H_DIR:-$ROOT}
API=$ROOT/tests/api
STRICT=(-Wall -Wextra -Wpedantic -Werror)
SAN=(-O0 -g '-fsanitize=address,undefined' -fno-omit-frame-pointer -fno-sanitize-recover=all)
declare -A CC=([gcc]="gcc -std=c11" [clang]="clang -std=c11" [cxx]="g++ -x c++ -std=c++11")

# --- every compile first, four at a time
# compile NAME COMPILER ARGS...: COMPILER (a command with its options, split) on ARGS, in the
# background; NAME.rc its exit status, NAME.err what it said
compile() {
    local name=$1
    shift
    while [ "$(jobs -rp | wc -l)" -ge 4 ]; do wait -n; done
    # shellcheck disable=SC2086 # (the compiler is a command and its options)
    { $1 "${@:2}" >"$name.err" 2>&1; echo $? >"$name.rc"; } &
}
compile build_fail_asan "${CC[gcc]}" "${STRICT[@]}" "${SAN[@]}" -I"$HDR" -o build_fail_asan "$API/build_fail.c" -pthread -lm
compile build_fail "${CC[gcc]}" "${STRICT[@]}" -I"$HDR" -o build_fail "$API/build_fail.c" -pthread -lm
for cc in gcc clang cxx; do
    compile "accept_$cc" "${CC[$cc]}" "${STRICT[@]}" -I"$HDR" -o "accept_$cc" "$API/accept.c" -pthread -lm
    compile "reject_control_$cc" "${CC[$cc]}" "${STRICT[@]}" -I"$HDR" -c -o /dev/null "$API/reject.c"
    for c in INT_PTR VOID_PTR NULL LONG_DOUBLE STRUCT NINE TWELVE TYPED_PTR TYPED_LONG_DOUBLE; do
        compile "reject_${c,,}_$cc" "${CC[$cc]}" -I"$HDR" -DCASE_$c -c -o /dev/null "$API/reject.c"
    done
done
for cc in gcc cxx; do
    compile "logexp_$cc" "${CC[$cc]}" "${STRICT[@]}" -I"$HDR" -o "logexp_$cc" "$API/logexp.c" -pthread -lm
    compile "identity_$cc" "${CC[$cc]}" -I"$HDR" -o "identity_$cc" "$API/identity.c" -pthread -lm
done
wait

# compiled NAME: whether compile NAME succeeded; says why not (its first error) if not
compiled() {
    [ "$(cat "$1.rc")" = 0 ] && return 0
    fail "$1" "does not compile: $(grep -m1 'error' "$1.err" | cut -c1-300)"
    return 1
}
# refused NAME PATTERN: compile NAME failed, and its first error matches PATTERN
refused() {
    local first
    first=$(grep -m1 'error' "$1.err")
    if [ "$(cat "$1.rc")" = 0 ]; then
        fail "$1" "compiled (want an error naming $2); the compiler said [$(grep -m1 warning "$1.err" | cut -c1-200)]"
    elif ! grep -qE "$2" <<<"$first"; then
        fail "$1" "the first error does not name $2: $(cut -c1-300 <<<"$first")"
    else
        ok "$1"
    fi
}

# --- A. what does not compile, and the control that the rest of reject.c does
CONVERT=jug_task_argument_has_a_type_jug_h_cannot_convert
MANY=jug_task_takes_at_most_8_arguments_pass_more_in_a_list
UNPACK=jug_task_parameter_has_a_type_jug_h_cannot_unpack
for cc in gcc clang cxx; do
    compiled "reject_control_$cc" && ok "reject_control_$cc"
    for c in nine twelve; do refused "reject_${c}_$cc" $MANY; done
    if [ $cc = cxx ]; then
        for c in int_ptr void_ptr long_double; do refused "reject_${c}_$cc" 'use of deleted function .*jug_task_argument'; done
        refused "reject_struct_$cc" 'no matching function for call to .jug_task_argument'
        for c in typed_ptr typed_long_double; do refused "reject_${c}_$cc" 'jug_task_parameter_type<'; done
    else
        for c in int_ptr void_ptr null long_double struct; do refused "reject_${c}_$cc" $CONVERT; done
        for c in typed_ptr typed_long_double; do refused "reject_${c}_$cc" $UNPACK; done
    fi
done
# (C++'s NULL is an integer, __null: it cannot be told from 0L, so the most there is is g++'s own warning)
expect reject_null_cxx_warns grep -q 'passing NULL to non-pointer argument' reject_null_cxx.err

# --- A. every kind of argument, typed tasks: clean under -Werror, the values right, as C and C++
ACCEPT_VALUES='[1000, "copied", 42, "literal", "mutable", 1.5, 2.25, 1, 99, -5, 200, -300, 60000, -7, 4000000000, -8000000000, 9000000000, 11, 12, -9223372036854775808, 2, 0.5, 42]
42
[-5, -42]
[1.5, 12]
["xs:list:0", "got:int:0"]
"42 2 11 4.5 0.25 s string -5"'
for cc in gcc clang cxx; do
    compiled "accept_$cc" || continue
    ok "accept_$cc"
    run "./accept_$cc" execute --jugdir "accept_$cc.jugdata"
    same "accept_execute_$cc" "$RC $(tail -1 <<<"$OUT")" "0 Executed 2 tasks; all 31 tasks are finished."
    run "./accept_$cc" value id answer neg scale describe all8 --jugdir "accept_$cc.jugdata"
    same "accept_values_$cc" "$OUT" "$ACCEPT_VALUES"
    if [ $cc != gcc ] && [ -x accept_gcc ]; then # (the same tasks: the store gcc's build filled is theirs)
        run "./accept_$cc" status --short --jugdir accept_gcc.jugdata
        same "accept_hashes_as_gcc_$cc" "$OUT" "All tasks finished (31 tasks)."
    fi
done

# --- A. tasks named log and exp beside <math.h>
for cc in gcc cxx; do
    compiled "logexp_$cc" || continue
    ok "logexp_$cc"
    run "./logexp_$cc" execute --jugdir "logexp_$cc.jugdata"
    expect "logexp_execute_$cc" test "$RC" -eq 0
    run "./logexp_$cc" status --jugdir "logexp_$cc.jugdata"
    same "logexp_status_names_$cc" "$(sed -n 3,4p <<<"$OUT" | tr -s ' ')" "$(printf 'exp 0 0 1 0\nlog 0 0 1 0')"
    run "./logexp_$cc" value log exp --jugdir "logexp_$cc.jugdata"
    same "logexp_value_$cc" "$RC $OUT" "$(printf '0 0\n1')"
done

# --- B. builds that fail at run time, with one line naming the task
# build_fails CASE WANT: `build_fail execute -- CASE` fails (not by a signal) saying on one
# line that building failed, and WANT; under ASan+UBSan alike, and with no report of theirs
build_fails() {
    local c=$1 want=$2 prog
    for prog in build_fail build_fail_asan; do
        [ -x $prog ] || continue
        ASAN_OPTIONS=exitcode=86 UBSAN_OPTIONS=exitcode=87 run ./$prog execute --jugdir "$c.$prog" -- "$c"
        local name=build_$c${prog#build_fail}
        if [ "$RC" -eq 0 ]; then
            fail "$name" "the build did not fail (want: $want)"
        elif grep -qE 'Sanitizer|runtime error' <<<"$ERR"; then
            fail "$name" "exit $RC: $(grep -m1 -E 'ERROR|runtime error' <<<"$ERR" | cut -c1-200)"
        elif [ "$RC" -ge 86 ]; then
            fail "$name" "exit $RC: $(head -c 200 <<<"$ERR")"
        elif [ "$(grep -c . <<<"$ERR")" -ne 1 ] || ! grep -qF "$prog: building the graph failed: $want" <<<"$ERR"; then
            fail "$name" "got [$(head -c 300 <<<"$ERR")], want one line [$prog: building the graph failed: $want]"
        else
            ok "$name"
        fi
    done
}
# build_runs CASE TASK VALUE: `build_fail execute -- CASE` builds and runs; `value TASK` is VALUE
build_runs() {
    local prog
    for prog in build_fail build_fail_asan; do
        [ -x $prog ] || continue
        run ./$prog execute --jugdir "$1.$prog" -- "$1"
        local rc=$RC err=$ERR
        run ./$prog value "$2" --jugdir "$1.$prog" -- "$1"
        same "build_$1${prog#build_fail}" "$rc $OUT$err" "0 $3"
    done
}
compiled build_fail && ok build_fail
compiled build_fail_asan && ok build_fail_asan
ADD='declaring add(int64_t a, int64_t b)'
TWICE='was handed to a task or list before (jug_task and jug_list_push take what they are given: pass jug_value_copy(v) to use a value twice)'
build_fails arity "$ADD: 1 argument given, it takes 2"
build_fails string_for_int "$ADD: argument 1 is of type string; its parameter takes an integer"
build_fails double_for_int "$ADD: argument 2 is of type double; its parameter takes an integer"
build_runs int_for_double half 1.5
build_fails string_twice "declaring second: argument 1 $TWICE"
build_fails twice_in_one_call "declaring first: argument 2 $TWICE"
build_fails scalar_twice "declaring second: argument 1 $TWICE"
build_fails task_then_list "declaring second: argument 1 holds an item that $TWICE"
build_fails item_in_two_lists_task "declaring second: argument 1 holds an item that $TWICE"
build_fails item_in_two_lists_map "map:sq: the list holds an item that $TWICE"
build_fails list_to_task_then_map "map:sq: the list $TWICE"
build_fails list_to_map_twice "map:sq: the list $TWICE"
build_fails list_to_map_then_task "declaring second: argument 1 $TWICE"
build_fails uint64_max "declaring first: argument 1, 18446744073709551615, does not fit an int64_t"
build_runs unsigned_ok id "[5, 7, 9223372036854775807]"
build_fails typed_mapper_of_two "jug_map: add takes 2 arguments; a mapper takes one"
# a task's result is checked when the task runs: the task fails, saying so
for prog in build_fail build_fail_asan; do
    [ -x $prog ] || continue
    run ./$prog execute --jugdir "result.$prog" -- result_of_wrong_type
    expect "build_result_of_wrong_type${prog#build_fail}" test "$RC" -eq 1 -a \
        "$(grep -cE '^add [0-9a-f]{12} failed: argument .* is a string' <<<"$ERR")" -eq 1
done
# a typed task whose argument does not unpack fails without running its body (no division by zero)
for prog in build_fail build_fail_asan; do
    [ -x $prog ] || continue
    run ./$prog execute --jugdir "unpack.$prog" -- unpack_fails_before_body
    expect "build_unpack_fails_before_body${prog#build_fail}" test "$RC" -eq 1 -a \
        "$(grep -cE '^per [0-9a-f]{12} failed: argument 1 is a double, not an int$' <<<"$ERR")" -eq 1 -a \
        "$(grep -cE 'runtime error|Sanitizer' <<<"$ERR")" -eq 0
    run ./$prog execute --jugdir "narrow.$prog" -- narrow_out_of_range
    expect "build_narrow_out_of_range${prog#build_fail}" test "$RC" -eq 1 -a "$(grep -cE \
        '^small [0-9a-f]{12} failed: argument 1, 300, is out of the range of its parameter \(0 to 255\)$' <<<"$ERR")" -eq 1
done
build_fails spoilt_list_twice "declaring first: argument 1 holds an item that $TWICE"
build_fails spoilt_list_in_two_lists "declaring first: argument 1 holds an item that $TWICE"
build_fails refused_call_keeps_its_arguments "declaring add: argument 2 $TWICE"
# items of a result jug_compute holds are copied when handed over; a second run runs nothing
for prog in build_fail build_fail_asan; do
    [ -x $prog ] || continue
    run ./$prog execute --jugdir "held.$prog" -- items_of_a_computed_result
    run ./$prog execute --jugdir "held.$prog" -- items_of_a_computed_result
    same "build_items_of_a_computed_result${prog#build_fail}" "$RC $OUT$ERR" "0 Nothing to do: all 4 tasks are finished."
    run ./$prog value sq id --jugdir "held.$prog" -- items_of_a_computed_result
    same "build_items_of_a_computed_result_values${prog#build_fail}" "$RC $OUT" "0 $(printf '[4, 9]\n[2]')"
done
# (the first error is the one to read: not what the NULL task it made does to the tasks after it)
build_fails first_error_wins "$ADD: 1 argument given, it takes 2"

# --- C. identity: a C and a C++ build hash alike; a const jug_value * by its content
if compiled identity_gcc; then
    run ./identity_gcc execute --jugdir ids -- 0
    same identity_execute "$RC $(tail -1 <<<"$OUT")" "0 Executed 1 task; all 5 tasks are finished."
    run ./identity_gcc execute --jugdir ids -- 100 # (the value jug_bvalue gives elsewhere in memory)
    same identity_bvalue_second_run_runs_nothing "$RC $OUT" "0 Nothing to do: all 5 tasks are finished."
    if compiled identity_cxx; then
        run ./identity_cxx status --jugdir ids -- 0
        same identity_cxx_status_nothing_ready "$(grep '^Total:' <<<"$OUT" | tr -s ' ')" "Total: 0 0 5 0"
        run ./identity_cxx execute --jugdir ids -- 0
        same identity_cxx_execute_runs_nothing "$RC $OUT" "0 Nothing to do: all 5 tasks are finished."
    fi
fi
