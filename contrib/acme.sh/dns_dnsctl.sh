#!/usr/bin/env sh
# shellcheck disable=SC2034
dns_dnsctl_info='dnsctl: DNS-01 through the provider dnsctl.yaml assigns to the zone
Site: github.com/dnsctl/dnsctl
Options:
 DNSCTL_BIN The dnsctl binary. Default: dnsctl (from PATH)
 DNSCTL_CONFIG Path of dnsctl.yaml. Optional; default: found from the working directory upward
 DNSCTL_NAMESERVER HOST:PORT[,...] to check propagation on instead of the zone NS. Optional
'
# acme.sh DNS API hook for dnsctl. Install:
#   cp contrib/acme.sh/dns_dnsctl.sh ~/.acme.sh/dnsapi/
#   DNSCTL_CONFIG=/srv/dns/dnsctl.yaml CLOUDFLARE_API_TOKEN=... acme.sh --issue --dns dns_dnsctl -d example.com -d '*.example.com'
# dnsctl adds the value to the TXT set (an apex and its wildcard share one
# name), removes only the value cleaned up, and returns once every
# authoritative nameserver serves it (so --dnssleep can stay short).
# The provider's credentials come from the environment dnsctl.yaml names
# (e.g. CLOUDFLARE_API_TOKEN); they are not saved by this hook.

# Usage: dns_dnsctl_add _acme-challenge.www.example.com "XKrxpRBosdIKFzxW_CT3KLZNf6q0HG9i01zxXp5CPBs"
dns_dnsctl_add() {
  fulldomain=$1
  txtvalue=$2
  _dnsctl_setup || return 1
  _info "dnsctl: adding TXT value at $fulldomain"
  if ! _dnsctl_run present "$fulldomain" "$txtvalue"; then
    _err "dnsctl could not publish the TXT value at $fulldomain"
    return 1
  fi
  return 0
}

# Usage: dns_dnsctl_rm _acme-challenge.www.example.com "XKrxpRBosdIKFzxW_CT3KLZNf6q0HG9i01zxXp5CPBs"
dns_dnsctl_rm() {
  fulldomain=$1
  txtvalue=$2
  _dnsctl_setup || return 1
  _info "dnsctl: removing TXT value at $fulldomain"
  if ! _dnsctl_run cleanup "$fulldomain" "$txtvalue"; then
    _err "dnsctl could not remove the TXT value at $fulldomain"
    return 1
  fi
  return 0
}

####################  private functions below ##################################

# Reads the settings from the environment, else from the account config saved
# by an earlier run, and saves them for renewals.
_dnsctl_setup() {
  DNSCTL_BIN="${DNSCTL_BIN:-$(_readaccountconf_mutable DNSCTL_BIN)}"
  DNSCTL_CONFIG="${DNSCTL_CONFIG:-$(_readaccountconf_mutable DNSCTL_CONFIG)}"
  DNSCTL_NAMESERVER="${DNSCTL_NAMESERVER:-$(_readaccountconf_mutable DNSCTL_NAMESERVER)}"
  DNSCTL_BIN="${DNSCTL_BIN:-dnsctl}"
  if ! command -v "$DNSCTL_BIN" >/dev/null 2>&1; then
    _err "dnsctl not found (DNSCTL_BIN=$DNSCTL_BIN): install it or set DNSCTL_BIN to its path"
    return 1
  fi
  if [ -n "$DNSCTL_CONFIG" ] && [ ! -f "$DNSCTL_CONFIG" ]; then
    _err "DNSCTL_CONFIG=$DNSCTL_CONFIG does not exist"
    return 1
  fi
  _saveaccountconf_mutable DNSCTL_BIN "$DNSCTL_BIN"
  [ -n "$DNSCTL_CONFIG" ] && _saveaccountconf_mutable DNSCTL_CONFIG "$DNSCTL_CONFIG"
  [ -n "$DNSCTL_NAMESERVER" ] && _saveaccountconf_mutable DNSCTL_NAMESERVER "$DNSCTL_NAMESERVER"
  return 0
}

# _dnsctl_run present|cleanup <fqdn> <value>
_dnsctl_run() {
  _dnsctl_out=$(
    if [ -n "$DNSCTL_CONFIG" ]; then export DNSCTL_CONFIG; fi
    if [ -n "$DNSCTL_NAMESERVER" ]; then export DNSCTL_NAMESERVER; fi
    # `--`: about 1 value in 64 begins with '-'.
    "$DNSCTL_BIN" acme "$1" -- "$2" "$3" 2>&1
  )
  _dnsctl_rc=$?
  _debug "dnsctl acme $1 $2" "$_dnsctl_out"
  if [ "$_dnsctl_rc" -ne 0 ]; then
    _err "$_dnsctl_out"
    return 1
  fi
  _info "$_dnsctl_out"
  return 0
}
