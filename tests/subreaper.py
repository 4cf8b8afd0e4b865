"""tests/subreaper.py SUITE SCRIPT [ARGS...]: runs `bash SCRIPT ARGS` as a
child subreaper, so that a worker orphaned by the kill of its parent is
reaped when it dies (as under any init that reaps) and its lock reads as
stale; once the script ends, whatever it left running is killed. Exits with
the script's status. Used by t_kill.sh and torture.sh."""
import ctypes, os, signal, sys

signal.signal(signal.SIGPIPE, signal.SIG_DFL)
suite = sys.argv[1]
if ctypes.CDLL(None, use_errno=True).prctl(36, 1, 0, 0, 0) != 0:  # PR_SET_CHILD_SUBREAPER
    print("FAIL %s.subreaper: prctl(PR_SET_CHILD_SUBREAPER) failed" % suite)
    sys.exit(1)
main = os.fork()
if main == 0:
    os.execvp("bash", ["bash"] + sys.argv[2:])
code = 1
while True:
    try:
        pid, st = os.waitpid(-1, 0)
    except ChildProcessError:
        break
    if pid == main:
        code = os.WEXITSTATUS(st) if os.WIFEXITED(st) else 128 + os.WTERMSIG(st)
        for d in os.listdir("/proc"):  # what the script left behind: our children only
            try:
                if d.isdigit() and int(open("/proc/%s/stat" % d).read().rsplit(")", 1)[1].split()[1]) == os.getpid():
                    os.kill(int(d), signal.SIGKILL)
            except (OSError, ValueError, IndexError):
                pass
sys.exit(code)
