#!/usr/bin/env bash
# dnsctl against octoDNS 1.22 (octodns-bind, octodns-powerdns from PyPI) on the
# same zone YAML and the same real servers: BIND 9 (RFC 2136 + TSIG) and
# PowerDNS 4.7 (HTTP API). Phases: first sync, no-op preview, 10% change, at
# 1,000 and 10,000 records. Prints wall times and the requests each server
# logged (BIND: UPDATE messages and zone transfers; PowerDNS: API requests).
#
#   cargo build --release -p dnsctl && bench/selfhosted/run.sh
#   SIZES="1000" bench/selfhosted/run.sh
#
# Needs what ./scripts/test.sh installs (bind9, pdns-server, pdns-backend-sqlite3,
# sqlite3); installs octoDNS into target/tools/octodns on first use.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
sizes=${SIZES:-"1000 10000"}
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
for n in $sizes; do zones+=("d$n.example" "o$n.example"); done

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
  --disable-syslog=yes --write-pid=no > "$pdir/pdns.log" 2>&1 & pids+=($!)
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

run() { # run LABEL SERVER COMMAND...
  local label=$1 server=$2; shift 2
  local c0 t0 t1 c1
  c0=$(count "$server"); t0=$(ms)
  if ! "$@" > "$work/out.log" 2>&1; then echo "    ($label failed: $(tail -n 3 "$work/out.log" | tr '\n' ' '))"; fi
  t1=$(ms); sleep 0.2; c1=$(count "$server")
  cp "$work/out.log" "$work/$server-${label// /_}.log"
  printf '  %-34s %7.2f s   %s\n' "$label" "$(python3 -c "print(($t1-$t0)/1e9)")" "$(delta "$server" "$c0" "$c1")"
}

for n in $sizes; do
  for server in bind pdns; do
    d=$work/proj-$server-$n; mkdir -p "$d/zones" "$d/octo"
    if [ $server = bind ]; then
      dprov="type: rfc2136, server: '127.0.0.1:$bport', key_name: bench, secret: {env: BENCH_TSIG}"
      oprov="class: octodns_bind.Rfc2136Provider, host: 127.0.0.1, port: $bport, key_name: bench, key_secret: env/BENCH_TSIG, key_algorithm: hmac-sha256"
    else
      dprov="type: powerdns, api_url: 'http://127.0.0.1:$aport', api_key: {env: PDNS_API_KEY}"
      oprov="class: octodns_powerdns.PowerDnsProvider, host: 127.0.0.1, port: $aport, api_key: env/PDNS_API_KEY"
    fi
    printf 'providers:\n  t: {%s}\nzones:\n  d%s.example: {provider: t}\n' "$dprov" "$n" > "$d/dnsctl.yaml"
    printf 'providers:\n  config: {class: octodns.provider.yaml.YamlProvider, directory: %s, enforce_order: false}\n  t: {%s}\nzones:\n  o%s.example.: {sources: [config], targets: [t]}\n' "$d/octo" "$oprov" "$n" > "$d/octo.yaml"
    gen "$n" 0 > "$d/zones/d$n.example.yaml"; cp "$d/zones/d$n.example.yaml" "$d/octo/o$n.example.yaml"
    echo "== $server, $n records"
    (cd "$d" && run "dnsctl first sync" $server "$dnsctl" push --yes --force)
    (cd "$d" && run "octoDNS first sync" $server "$venv/bin/octodns-sync" --config-file "$d/octo.yaml" --doit --force)
    (cd "$d" && run "dnsctl no-op preview" $server "$dnsctl" preview)
    (cd "$d" && run "octoDNS no-op preview" $server "$venv/bin/octodns-sync" --config-file "$d/octo.yaml")
    gen "$n" 10 > "$d/zones/d$n.example.yaml"; cp "$d/zones/d$n.example.yaml" "$d/octo/o$n.example.yaml"
    (cd "$d" && run "dnsctl 10% change" $server "$dnsctl" push --yes --force)
    (cd "$d" && run "octoDNS 10% change" $server "$venv/bin/octodns-sync" --config-file "$d/octo.yaml" --doit --force)
    (cd "$d" && run "dnsctl converged (preview)" $server "$dnsctl" preview --exit-code)
  done
done
