#!/usr/bin/env bash
# End to end: status --html, the page for a browser, loaded in a real headless
# Chromium. A graph of tasks finished, failed, waiting on the failed ones,
# ready, and one held running (tests/progs/page.c, built here; its names and
# failure messages hold <, >, &, quotes and <script>); the counts read from
# the DOM Chromium built must be status --json's; the messages are there,
# escaped, and nothing in the page points outside it; --watch rewrites the
# page (always whole) until SIGTERM stops it. The screenshot a person can
# look at is kept as build/test-output/t_html/status.png. A missing chromium
# is a failure (tests/install-deps.sh installs it as root).
source "$JUG_TEST_ROOT/tests/lib.sh"
W=$BUILD/workload
PY=python3
SHOTS=$BUILD/test-output/t_html
mkdir -p "$SHOTS"
rm -f "$SHOTS"/*.png

if ! command -v chromium >/dev/null; then
    fail chromium "chromium is not installed (run make test as root, or apt-get install chromium)"
    exit 1
fi
if ! gcc -std=c11 -Wall -Wextra -Wpedantic -Werror -O0 -o page "$ROOT/tests/progs/page.c" -pthread -lm 2>cc.err; then
    fail build_page "$(head -c 400 cc.err)"
    exit 1
fi
# browse NAME ARGS... FILE: headless Chromium on FILE, a profile of its own, its stdout in NAME.out
browse() {
    local name=$1
    shift
    $TO chromium --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --no-first-run \
        --user-data-dir="$WORK/profile-$name" "$@" >"$name.out" 2>"$name.err"
}

# --- the graph: 12 cooks finished, 2 burns failed (2 afters wait on them), hold[0] running
# (held by its gate), hold[1], the laters and the odd name ready
A="-- 12"
./page execute --target cook --jugdir s $A >/dev/null 2>&1
./page execute --keep-going --target after --jugdir s $A >/dev/null 2>&1
PAGE_GATE=$WORK/gate ./page execute --target hold --jugdir s $A >hold.out 2>&1 &
HOLD=$!
PIDS+=($HOLD)
REDIS_DIR=$WORK/redis
source "$ROOT/tests/redis_server.sh"
trap 'touch "$WORK/gate"; for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; redis_stop_all; rm -rf "$WORK"' EXIT
running() { ./page status --short --jugdir s $A | grep -q ' 1 running'; }
expect hold_is_running waitfor 20 running

run ./page status --json --jugdir s $A
echo "$OUT" >status.json
run ./page status --html page.html --jugdir s $A
same html_exit "$RC:$OUT:$ERR" "0::"
expect html_written test -s page.html
same html_no_temp_left "$(ls | grep -c '\.tmp$')" 0

# --- the counts in the DOM Chromium made of it are status --json's
browse dom --dump-dom "file://$WORK/page.html"
expect dom_dumped grep -q 'id="jug-status"' dom.out
cat >check.py <<'EOF'
import html.parser, json, sys
class Page(html.parser.HTMLParser):
    def __init__(self):
        super().__init__()
        self.rows, self.cells, self.tags, self.reasons, self.times = {}, {}, {}, [], {}
        self.row = self.cell = self.reason = None
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags[tag] = self.tags.get(tag, 0) + 1
        if tag == "tr" and a.get("id", "").startswith("jug-"):
            self.row = a["id"]
            self.rows[self.row] = a
            self.cells[self.row] = {}
        if tag == "td" and self.row and "data-state" in a:
            self.cell = a["data-state"]
            self.cells[self.row][self.cell] = ""
        if tag == "pre" and a.get("class") == "reason":
            self.reason = ""
        if tag == "section" and a.get("class") == "times":
            self.times[a["data-name"]] = 0
            self.section = a["data-name"]
        if tag == "p" and a.get("class") == "stats" and "data-timed" in a:
            self.times[self.section] = int(a["data-timed"])
    def handle_endtag(self, tag):
        if tag == "tr": self.row = None
        if tag == "td": self.cell = None
        if tag == "pre" and self.reason is not None:
            self.reasons.append(self.reason)
            self.reason = None
    def handle_data(self, data):
        if self.cell: self.cells[self.row][self.cell] += data
        if self.reason is not None: self.reason += data
p = Page()
p.feed(open(sys.argv[1], encoding="utf-8").read())
want = json.load(open(sys.argv[2]))
what = sys.argv[3]
states = ["waiting", "ready", "finished", "running", "failed", "stale"]
def row(a, cells):
    got = {s: int(a["data-" + s]) for s in states}
    shown = {s: int(cells[s]) for s in states}
    return got if got == shown else ("attributes %s, cells %s" % (got, shown))
if what == "counts":
    got = [dict(name=p.rows["jug-group-%d" % k]["data-name"], **row(p.rows["jug-group-%d" % k], p.cells["jug-group-%d" % k]))
           for k in range(len(want["groups"])) if "jug-group-%d" % k in p.rows]
    print(json.dumps({"groups": got, "total": row(p.rows["jug-total"], p.cells["jug-total"])}, sort_keys=True))
    print(json.dumps({"groups": want["groups"], "total": want["total"]}, sort_keys=True))
elif what == "reasons":
    for r in p.reasons: print(r)
elif what == "tags":
    print(" ".join("%s=%d" % (t, p.tags.get(t, 0)) for t in ["script", "b", "img", "link", "iframe", "object"]))
elif what == "times":
    print(json.dumps(p.times, sort_keys=True))
EOF
dom_counts=$($PY check.py dom.out status.json counts 2>&1)
same dom_counts_are_status_json "$(echo "$dom_counts" | head -1)" "$(echo "$dom_counts" | sed -n 2p)"
same dom_groups "$(grep -o '"name": "[^"]*' status.json | tr '\n' ' ')" \
    "\"name\": \"cook \"name\": \"burn \"name\": \"after \"name\": \"hold \"name\": \"later \"name\": \"odd <b>&'\\ "
expect json_has_every_state grep -q '"total": {"waiting": 2, "ready": 4, "finished": 12, "running": 1, "failed": 2, "stale": 0}' status.json
same dom_tasks_attribute "$(grep -o 'data-tasks="[0-9]*"' dom.out)" "data-tasks=\"$(sed 's/^{"tasks": \([0-9]*\),.*/\1/' status.json)\""

# --- failure messages and odd names: escaped in the file, text in the DOM, never markup
msg() { printf '<script>alert("burn %s")</script> & '"'"'quoted'"'"' <b>not bold</b>' "$1"; }
same dom_failure_messages "$($PY check.py dom.out status.json reasons)" "$(msg 0; echo; msg 1)"
expect file_message_escaped grep -qF '&lt;script&gt;alert(&quot;burn 0&quot;)&lt;/script&gt; &amp; &#39;quoted&#39; &lt;b&gt;not bold&lt;/b&gt;' page.html
expect file_name_escaped grep -qF 'data-name="odd &lt;b&gt;&amp;&#39;&quot;"' page.html
same file_no_script "$(grep -ci '<script' page.html)" 0
same dom_no_injected_element "$($PY check.py dom.out status.json tags)" "script=0 b=0 img=0 link=0 iframe=0 object=0"
expect failure_names_task grep -qE '<code>burn\[0\] [0-9a-f]{12}</code> <span class="where">on [^ ]+ \(pid [0-9]+\) at [0-9-]+ [0-9:]+</span>' page.html
same no_external_reference "$(grep -ciE 'https?:|src=|@import|url\(|<link|xmlns' page.html)" 0
expect header_says_store_host_time grep -qE "Store <code id=\"jug-store\">s</code>, read on <code id=\"jug-host\">$(hostname | tr -d ' /:')</code> at <time id=\"jug-written\" datetime=\"[0-9T:+-]+\" data-epoch=\"[0-9.]+\">[0-9-]+ [0-9:]+</time>" page.html
expect no_refresh_without_watch test "$(grep -c 'http-equiv="refresh"' page.html)" = 0

# --- run times: a histogram (inline SVG) per name with finished tasks, of every one of them
same dom_run_times "$($PY check.py dom.out status.json times)" '{"cook": 12}'
expect histogram_has_bars test "$(grep -c '<rect ' page.html)" -ge 2

# --- a screenshot for a person to look at
browse shot --screenshot="$SHOTS/status.png" --window-size=1200,900 "file://$WORK/page.html"
expect screenshot_kept test "$(head -c 4 "$SHOTS/status.png" 2>/dev/null | od -An -c | tr -d ' ')" = "211PNG"
expect screenshot_not_blank test "$(stat -c %s "$SHOTS/status.png" 2>/dev/null || echo 0)" -gt 20000

# --- --watch: rewritten every 2 s, reloads itself, always whole; SIGTERM stops it
./page status --watch --html watch.html --jugdir s $A >watch.out 2>watch.err &
WATCH=$!
PIDS+=($WATCH)
expect watch_writes waitfor 10 test -s watch.html
epoch() { sed -n 's/.*data-epoch="\([0-9.]*\)".*/\1/p' watch.html 2>/dev/null; }
first=$(epoch)
torn=0
rewritten=0
end=$((SECONDS + 8))
while [ $SECONDS -lt $end ]; do
    [ "$(tail -c 15 watch.html)" = "</body></html>" ] || torn=$((torn + 1))
    if [ "$(epoch)" != "$first" ]; then
        rewritten=1
        break
    fi
    sleep 0.02
done
same watch_rewrites "$rewritten" 1
same watch_page_always_whole "$torn" 0
expect watch_page_reloads grep -q '<meta http-equiv="refresh" content="2">' watch.html
browse watchdom --dump-dom "file://$WORK/watch.html"
expect watch_page_loads grep -q 'data-running="1"' watchdom.out
kill -TERM "$WATCH"
finish "$WATCH" 5
same watch_stops_on_sigterm "$RC" 143
same watch_says_nothing "$(cat watch.out watch.err)" ""
same watch_no_temp_left "$(ls | grep -c '\.tmp$')" 0
same watch_page_whole_after_sigterm "$(tail -c 15 watch.html)" "</body></html>"

# --- the gate opens: hold runs, and the next page shows it
touch gate
finish "$HOLD" 20
same hold_finishes "$RC" 0
run ./page status --html page.html --jugdir s $A
expect page_after_hold grep -q 'id="jug-group-3" data-name="hold" data-waiting="0" data-ready="0" data-finished="2" data-running="0"' page.html

# --- a finished graph: --watch writes the page once, without the reload, and ends
run $TO "$W" execute --jugdir done -- 4
run $TO "$W" status --watch --html done.html --jugdir done -- 4
same watch_done_ends "$RC" 0
expect done_page_has_no_reload test "$(grep -c 'http-equiv="refresh"' done.html)" = 0
expect done_page_all_finished grep -q 'id="jug-total" data-name="Total" data-waiting="0" data-ready="0" data-finished="7" ' done.html

# --- a file it cannot write: one line, exit 1, nothing left behind
run "$W" status --html "$WORK/no/such/dir/p.html" --jugdir done -- 4
same unwritable_exit "$RC" 1
expect unwritable_says_why grep -q "^workload: cannot write $WORK/no/such/dir/p.html: No such file or directory\$" <<<"$ERR"
run "$W" status --html
same html_needs_file "$RC:$ERR" "2:workload: option --html needs a value"
run "$W" status --help
expect status_help_lists_html grep -q -- '--html' <<<"$OUT"

# --- on redis: the same page, and the store's URL without its password
if redis_tools_or_fail && redis_start pw --requirepass 's3cret'; then
    U="redis://:s3cret@127.0.0.1:${REDIS_PORT[pw]}/0"
    run $TO "$BUILD/workload_redis" execute --keep-going --jugdir "$U" -- 6 0 fail=1
    run "$BUILD/workload_redis" status --html redis.html --jugdir "$U" -- 6 0 fail=1
    same redis_page "$RC $(grep -o 'id="jug-total" data-name="Total" data-waiting="[0-9]*" data-ready="[0-9]*" data-finished="[0-9]*" data-running="0" data-failed="[0-9]*"' redis.html)" \
        '0 id="jug-total" data-name="Total" data-waiting="2" data-ready="0" data-finished="7" data-running="0" data-failed="1"'
    same redis_url_without_password "$(grep -c s3cret redis.html) $(grep -o 'jug-store">[^<]*' redis.html)" \
        "0 jug-store\">redis://***@127.0.0.1:${REDIS_PORT[pw]}/0"
else
    fail redis_start "no redis-server for the redis page"
fi
