# Sourced by scripts/test.sh (and its tests): the parts of installing the
# test peers that touch the system outside the repository.

sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"

# Units the server packages enable when Debian installs them. The tests start
# their own instances; left enabled, these would start at the next boot and
# fight over port 53.
TEST_UNITS=(named.service knot.service pdns.service certbot.timer)

# SYSTEMD_ROOT=DIR: work on another root (the tests use a scratch one).
_systemctl() {
  if [ -n "${SYSTEMD_ROOT:-}" ]; then
    systemctl --root="$SYSTEMD_ROOT" "$@"
  else
    $sudo systemctl "$@"
  fi
}

_unit_state() {
  command -v systemctl >/dev/null || return 0
  _systemctl is-enabled "$1" 2>/dev/null || true
}

# Prints "UNIT STATE" for each of TEST_UNITS, to hand to units_disable_new.
units_state() {
  local u
  for u in "${TEST_UNITS[@]}"; do
    echo "$u $(_unit_state "$u")"
  done
}

# Disables the units that are enabled now but were not in the state given
# as $1 (units_state's output): what an install enabled. A unit the user had
# enabled before is left alone. Fails if one of them is still enabled.
units_disable_new() {
  local u was now
  while read -r u was; do
    [ -n "$u" ] || continue
    now=$(_unit_state "$u")
    if [ "$now" = enabled ] && [ "$was" != enabled ]; then
      _systemctl disable --quiet "$u"
      echo "disabled $u (the package enabled it; the tests run their own servers)"
      if [ "$(_unit_state "$u")" = enabled ]; then
        echo "error: $u is still enabled" >&2
        return 1
      fi
    fi
  done <<<"$1"
}

# Runs "$@" with package daemons kept from starting (a policy-rc.d that
# exits 101), and removes that file afterwards, also when "$@" fails or the
# script is interrupted: left behind it silently blocks every later daemon
# start on the machine. An existing policy-rc.d is used as it is.
with_daemons_blocked() {
  local f=${POLICY_RC_D:-/usr/sbin/policy-rc.d}
  # sudo only where it is needed (not for the tests' scratch file).
  local sudo=$sudo
  [ -w "$(dirname "$f")" ] && sudo=""
  if [ -e "$f" ]; then
    "$@"
    return
  fi
  # shellcheck disable=SC2064 # expand now: the trap must remove this file
  trap "$sudo rm -f '$f'" EXIT
  printf '#!/bin/sh\nexit 101\n' | $sudo tee "$f" >/dev/null
  $sudo chmod +x "$f"
  local rc=0
  "$@" || rc=$?
  $sudo rm -f "$f"
  trap - EXIT
  return "$rc"
}
