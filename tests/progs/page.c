/* A graph for tests/t_html.sh (status --html), whose names and failure
   messages a page must escape:
     cook(i)     sleeps i ms, then returns i                  for i in 0..N-1
     burn(i)     fails with a message holding <script>, & and quotes
     after(i)    = burn[i] + 1: waits, as long as burn[i] failed
     hold(i)     with $PAGE_GATE set, waits until that file exists
     later(i)    = i: nothing needs it (run with --target to keep it ready)
     "odd <b>&'\"" (a name no C identifier has) = 0
   Build arguments: -- N (default 8); the burns, afters, holds and laters
   are 2 each. */
#define JUG_IMPLEMENTATION
#include "../../jug.h"

#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static void pause_ms(long ms) {
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    if (ms > 0) nanosleep(&ts, NULL);
}

JUG_TASK(cook) {
    pause_ms((long)jug_arg_int(call, 0));
    return jug_int(jug_arg_int(call, 0));
}
JUG_TASK(burn) {
    return jug_fail(call, "<script>alert(\"burn %lld\")</script> & 'quoted' <b>not bold</b>",
                    (long long)jug_arg_int(call, 0));
}
JUG_TASK(after) { return jug_int(jug_arg_int(call, 0) + 1); }
JUG_TASK(hold) {
    const char *gate = getenv("PAGE_GATE");
    while (gate && *gate && access(gate, F_OK) != 0) pause_ms(10);
    return jug_int(jug_arg_int(call, 0));
}
JUG_TASK(later) { return jug_int(jug_arg_int(call, 0)); }
static jug_value *odd_body(jug_call *call) {
    (void)call;
    return jug_int(0);
}
static const jug_function odd = {"odd <b>&'\"", 0, odd_body, NULL, NULL};

static int build(jug_graph *g, int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 8;
    for (long i = 0; i < n; i++) jug_task(g, cook, i);
    for (long i = 0; i < 2; i++) jug_task(g, after, jug_task(g, burn, i));
    for (long i = 0; i < 2; i++) jug_task(g, hold, i);
    for (long i = 0; i < 2; i++) jug_task(g, later, i);
    jug_task_new(g, &odd, 0, NULL);
    return 0;
}

int main(int argc, char **argv) { return jug_main(argc, argv, build); }
