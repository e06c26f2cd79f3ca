#!/usr/bin/env bash
# dnsctl against octoDNS 1.22 (octodns-bind, octodns-powerdns from PyPI) on the
# same zone YAML and the same real servers: BIND 9 (RFC 2136 + TSIG) and
# PowerDNS 4.7 (HTTP API). Phases: first sync, no-op preview, 10% change, at
# 1,000 and 10,000 records. Prints wall times and the requests each server
# logged (BIND: UPDATE messages and zone transfers; PowerDNS: API requests).
# Every phase runs REPS times (default 5), each time on fresh zones of both
# tools, dnsctl first in odd rounds and octoDNS first in even ones (a server's
# first large write is slower); the table at the end gives the median wall
# times and the requests of the first round.
#
#   cargo build --release -p dnsctl && bench/selfhosted/run.sh
#   SIZES="1000" REPS=5 SERVERS=pdns bench/selfhosted/run.sh
#   PDNS_ARGS="--gsqlite3-pragma-synchronous=0" bench/selfhosted/run.sh
#
# Needs what ./scripts/test.sh installs (bind9, pdns-server, pdns-backend-sqlite3,
# sqlite3); installs octoDNS into target/tools/octodns on first use.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
sizes=${SIZES:-"1000 10000"}
reps=${REPS:-5}
servers=${SERVERS:-"bind pdns"}
dnsctl=${DNSCTL:-$root/target/release/dnsctl}
venv=$root/target/tools/octodns
[ -x "$dnsctl" ] || { echo "build dnsctl first: cargo build --release -p dnsctl" >&2; exit 1; }
if [ ! -x "$venv/bin/octodns-sync" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q 'octodns==1.22.*' octodns-powerdns octodns-bind
fi
PATH=$PATH:/usr/sbin:/sbin
work=$(mktemp -d /tmp/dnsctl-bench-XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; [ -n "${KEEP:-}" ] || rm -rf "$work"; }
trap cleanup EXIT

free_port() {
  python3 - <<'PY'
import socket
while True:
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 0)); p = u.getsockname()[1]
    t = socket.socket()
    try:
        t.bind(("127.0.0.1", p)); print(p); break
    except OSError:
        pass
PY
}
ms() { date +%s%N; }

zones=()
for n in $sizes; do for r in $(seq "$reps"); do zones+=("d$n-$r.example" "o$n-$r.example"); done; done

# --- BIND
bdir=$work/bind; mkdir -p "$bdir"
bport=$(free_port)
tsig-keygen -a hmac-sha256 bench > "$bdir/key.conf"
secret=$(sed -n 's/.*secret "\(.*\)";/\1/p' "$bdir/key.conf")
{
  echo "include \"$bdir/key.conf\";"
  echo "options { directory \"$bdir\"; pid-file \"$bdir/named.pid\"; session-keyfile \"$bdir/s.key\"; listen-on port $bport { 127.0.0.1; }; listen-on-v6 { none; }; recursion no; notify no; allow-transfer { key bench; }; };"
  echo "controls { };"
  echo "logging { channel c { stderr; severity info; print-category yes; }; category default { c; }; category update { c; }; category update-security { c; }; category xfer-out { c; }; };"
  for z in "${zones[@]}"; do
    printf '$TTL 3600\n@ SOA ns1.%s. hm.%s. 1 7200 3600 1209600 300\n@ NS ns1.%s.\nns1 A 127.0.0.1\n' "$z" "$z" "$z" > "$bdir/$z.zone"
    echo "zone \"$z\" { type primary; file \"$bdir/$z.zone\"; update-policy { grant bench zonesub ANY; }; };"
  done
} > "$bdir/named.conf"
named -g -4 -c "$bdir/named.conf" > "$bdir/named.log" 2>&1 & pids+=($!)

# --- PowerDNS
pdir=$work/pdns; mkdir -p "$pdir"
pport=$(free_port); aport=$(free_port)
sqlite3 "$pdir/pdns.sqlite3" ".read /usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql"
touch "$pdir/pdns.conf"
export PDNS_API_KEY=bench-key BENCH_TSIG=$secret
pdns_server --config-dir="$pdir" --socket-dir="$pdir" --launch=gsqlite3 --gsqlite3-database="$pdir/pdns.sqlite3" \
  --local-address=127.0.0.1 --local-port="$pport" --api=yes --api-key=$PDNS_API_KEY --webserver=yes \
  --webserver-address=127.0.0.1 --webserver-port="$aport" --webserver-allow-from=127.0.0.0/8 \
  --webserver-max-bodysize=256 --webserver-loglevel=normal --loglevel=6 --security-poll-suffix= --daemon=no --guardian=no \
  --disable-syslog=yes --write-pid=no ${PDNS_ARGS:-} > "$pdir/pdns.log" 2>&1 & pids+=($!)
for _ in $(seq 100); do curl -sf -H "X-API-Key: $PDNS_API_KEY" "http://127.0.0.1:$aport/api/v1/servers/localhost" >/dev/null && break; sleep 0.1; done
for z in "${zones[@]}"; do
  curl -sf -X POST -H "X-API-Key: $PDNS_API_KEY" "http://127.0.0.1:$aport/api/v1/servers/localhost/zones" \
    -d "{\"name\": \"$z.\", \"kind\": \"Native\", \"nameservers\": [\"ns1.$z.\"]}" >/dev/null
done
for _ in $(seq 300); do grep -q "running$" "$bdir/named.log" && break; sleep 0.1; done

gen() { # gen N CHANGE_EVERY(0 = none) > zone yaml
  python3 - "$1" "$2" <<'PY'
import sys
n, every = int(sys.argv[1]), int(sys.argv[2])
print("---\nns1:\n  type: A\n  value: 127.0.0.1")
for i in range(n):
    v = 1 if every and i % every == 0 else 0
    k = i % 5
    if k == 0: print(f"h{i}:\n  type: A\n  value: 10.{v}.{(i >> 8) & 255}.{i & 255}")
    elif k == 1: print(f"h{i}:\n  type: AAAA\n  value: 2001:db8:{v}::{i:x}")
    elif k == 2: print(f"h{i}:\n  type: TXT\n  value: record number {i} version {v}")
    elif k == 3: print(f"h{i}:\n  type: MX\n  value:\n    preference: {10 + v}\n    exchange: mx{i}.example.net.")
    else: print(f"h{i}:\n  type: CNAME\n  value: h{i - 1 + v}.example.net.")
PY
}

count() { # requests logged so far by the server of $1
  case $1 in
    # UPDATE messages: each is one journal transaction (one SOA serial step).
    bind) local u=0; for j in "$bdir"/*.jnl; do [ -f "$j" ] && u=$(( u + $(named-journalprint "$j" | grep -cE '^add .*[[:space:]]SOA[[:space:]]' || true) )); done
          echo "${u}u+$(grep -c "AXFR started" "$bdir/named.log" || true)x" ;;
    pdns) grep -c '"GET\|"PATCH\|"POST\|"PUT\|"DELETE\| HTTP/1' "$pdir/pdns.log" || true ;;
  esac
}
delta() { # requests between two counts
  case $1 in
    bind) python3 -c "import re,sys; a=[int(x) for x in re.findall(r'\d+','$2')]; b=[int(x) for x in re.findall(r'\d+','$3')]; print(f'{b[0]-a[0]} UPDATE + {b[1]-a[1]} AXFR')" ;;
    pdns) echo "$(( $3 - $2 )) HTTP" ;;
  esac
}

results=$work/results.tsv
run() { # run SERVER N REP TOOL PHASE COMMAND...
  local server=$1 n=$2 rep=$3 tool=$4 phase=$5; shift 5
  local c0 t0 t1 c1 secs req
  c0=$(count "$server"); t0=$(ms)
  if ! "$@" > "$work/out.log" 2>&1; then echo "    ($tool $phase failed: $(tail -n 3 "$work/out.log" | tr '\n' ' '))"; fi
  t1=$(ms); sleep 0.2; c1=$(count "$server")
  cp "$work/out.log" "$work/$server-$n-$rep-$tool-${phase// /_}.log"
  secs=$(python3 -c "print(f'{($t1-$t0)/1e9:.3f}')"); req=$(delta "$server" "$c0" "$c1")
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$server" "$n" "$rep" "$tool" "$phase" "$secs" "$req" >> "$results"
  printf '  %-8s %-30s %7.2f s   %s\n' "$tool" "$phase" "$secs" "$req"
}

for n in $sizes; do
  for server in $servers; do
    for rep in $(seq "$reps"); do
      z=$n-$rep; d=$work/proj-$server-$z; mkdir -p "$d/zones" "$d/octo"
      if [ $server = bind ]; then
        dprov="type: rfc2136, server: '127.0.0.1:$bport', key_name: bench, secret: {env: BENCH_TSIG}"
        oprov="class: octodns_bind.Rfc2136Provider, host: 127.0.0.1, port: $bport, key_name: bench, key_secret: env/BENCH_TSIG, key_algorithm: hmac-sha256"
      else
        dprov="type: powerdns, api_url: 'http://127.0.0.1:$aport', api_key: {env: PDNS_API_KEY}"
        oprov="class: octodns_powerdns.PowerDnsProvider, host: 127.0.0.1, port: $aport, api_key: env/PDNS_API_KEY"
      fi
      printf 'providers:\n  t: {%s}\nzones:\n  d%s.example: {provider: t}\n' "$dprov" "$z" > "$d/dnsctl.yaml"
      printf 'providers:\n  config: {class: octodns.provider.yaml.YamlProvider, directory: %s, enforce_order: false}\n  t: {%s}\nzones:\n  o%s.example.: {sources: [config], targets: [t]}\n' "$d/octo" "$oprov" "$z" > "$d/octo.yaml"
      gen "$n" 0 > "$d/zones/d$z.example.yaml"; cp "$d/zones/d$z.example.yaml" "$d/octo/o$z.example.yaml"
      echo "== $server, $n records, round $rep of $reps"
      both() { # both PHASE DNSCTL-ARGS -- OCTODNS-ARGS, in this round's order
        local phase=$1 dargs=() oargs=(); shift
        while [ "$1" != -- ]; do dargs+=("$1"); shift; done; shift; oargs=("$@")
        local first=(dnsctl) ; [ $((rep % 2)) = 0 ] && first=(octoDNS)
        for tool in "${first[@]}" dnsctl octoDNS; do
          case $tool in
            dnsctl) [ -n "${ddone:-}" ] && continue; ddone=1
                    (cd "$d" && run $server "$n" "$rep" dnsctl "$phase" "$dnsctl" "${dargs[@]}") ;;
            octoDNS) [ -n "${odone:-}" ] && continue; odone=1
                    (cd "$d" && run $server "$n" "$rep" octoDNS "$phase" "$venv/bin/octodns-sync" --config-file "$d/octo.yaml" "${oargs[@]}") ;;
          esac
        done
        unset ddone odone
      }
      both "first sync" push --yes --force -- --doit --force
      both "no-op preview" preview --
      gen "$n" 10 > "$d/zones/d$z.example.yaml"; cp "$d/zones/d$z.example.yaml" "$d/octo/o$z.example.yaml"
      both "10% change" push --yes --force -- --doit --force
      (cd "$d" && "$dnsctl" preview --exit-code > "$work/out.log" 2>&1) || echo "    (dnsctl did not converge: $(tail -n 3 "$work/out.log" | tr '\n' ' '))"
    done
  done
done

# Median wall time of the rounds; requests of the first round (every round
# sends the same).
python3 - "$results" <<'PY'
import re, statistics, sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1])]
cells = {}
for server, n, rep, tool, phase, secs, req in rows:
    c = cells.setdefault((server, int(n), phase), {})
    c.setdefault(tool, []).append(float(secs))
    c.setdefault(tool + " req", req if rep == "1" else c.get(tool + " req"))
print()
print("| server   | records | phase           | dnsctl | octoDNS | speed-up | requests dnsctl / octoDNS |")
print("|----------|--------:|-----------------|-------:|--------:|---------:|---------------------------|")
order = {"first sync": 0, "no-op preview": 1, "10% change": 2}
for (server, n, phase), c in sorted(cells.items(), key=lambda kv: (kv[0][1], kv[0][0], order[kv[0][2]])):
    d, o = statistics.median(c["dnsctl"]), statistics.median(c["octoDNS"])
    name = {"bind": "BIND", "pdns": "PowerDNS"}[server]
    rd, ro = c["dnsctl req"], c["octoDNS req"]
    if server == "bind":
        req = re.sub(r"\b0 UPDATE \+ ", "", f"{rd} / {ro}")
    else:
        req = f"{rd.split()[0]} / {ro.split()[0]} HTTP"
    x = o / d
    x = f"{x:.0f}x" if x >= 10 else f"{x:.1f}x"
    print(f"| {name:8} | {n:7,} | {phase:15} | {d:6.3f} | {o:7.2f} | {x:>8} | {req} |")
print(f"\n(medians of {len(c['dnsctl'])} rounds; KEEP=1 keeps every round's times in {sys.argv[1]})")
PY
