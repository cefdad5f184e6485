#!/usr/bin/env bash
# Makes a Debian 12 machine ready to build and run Ebpf.ProtocolTracing: the BPF toolchain, libbpf,
# the servers and clients the end-to-end tests drive and a mounted tracefs.
# Idempotent and quick when everything is already there. Run as root.
set -euo pipefail

packages=(clang llvm bpftool libbpf-dev libbpf1 nginx curl postgresql postgresql-client mariadb-server mariadb-client redis-server redis-tools python3-grpcio python3-protobuf nats-server memcached netcat-openbsd dnsmasq-base dnsutils libcap2-bin kcat rabbitmq-server amqp-tools golang-go nodejs)
# nodejs (with npm): the Cassandra tests install the DataStax Node.js driver (node 20+) with npm.
tracefs=/sys/kernel/tracing

say() { printf 'install-prerequisites: %s\n' "$*"; }

if [[ $(id -u) -ne 0 ]]; then
    say "must run as root (apt-get and mounting tracefs need it): sudo $0" >&2
    exit 1
fi

missing=()
for package in "${packages[@]}"; do
    # dpkg-query reports "install ok installed" only for a fully installed package.
    if [[ $(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true) != "install ok installed" ]]; then
        missing+=("$package")
    fi
done

if ((${#missing[@]} == 0)); then
    say "packages already installed: ${packages[*]}"
else
    export DEBIAN_FRONTEND=noninteractive
    # Refresh the package lists only when apt cannot find a candidate for what is missing.
    needs_update=0
    for package in "${missing[@]}"; do
        candidate=$(apt-cache policy "$package" 2>/dev/null | awk '/Candidate:/ {print $2}')
        if [[ -z $candidate || $candidate == "(none)" ]]; then
            needs_update=1
            break
        fi
    done
    if ((needs_update)); then
        say "running apt-get update"
        apt-get update -qq
    fi
    # The tests start their own servers on free ports; keep the packages' post-install scripts from
    # starting system-wide ones (redis, postgresql, mariadb, nginx, …) on the default ports.
    policy=/usr/sbin/policy-rc.d
    if [[ ! -e $policy ]]; then
        printf '#!/bin/sh\nexit 101\n' > "$policy"
        chmod +x "$policy"
        trap 'rm -f "$policy"' EXIT
    fi
    say "installing: ${missing[*]}"
    if ! apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; then
        # Stale package lists point at files the mirror no longer has: refresh once and retry.
        ((needs_update)) && exit 1
        say "install failed; running apt-get update and retrying"
        apt-get update -qq
        apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    fi
    say "installed: ${missing[*]}"
fi

if mountpoint -q "$tracefs" 2>/dev/null; then
    say "tracefs already mounted at $tracefs"
else
    mkdir -p "$tracefs"
    mount -t tracefs tracefs "$tracefs"
    say "mounted tracefs at $tracefs"
fi

if [[ ! -r /sys/kernel/btf/vmlinux ]]; then
    say "warning: /sys/kernel/btf/vmlinux is missing: this kernel has no BTF (CONFIG_DEBUG_INFO_BTF), so the BPF programs cannot be built or loaded" >&2
fi

if ! command -v npm >/dev/null 2>&1; then
    say "warning: npm is missing (this nodejs package does not carry it): apt-get install npm, or a node 20+ build that includes npm, for the Cassandra tests" >&2
fi

if ! command -v dotnet >/dev/null 2>&1 && [[ ! -x /usr/share/dotnet/dotnet ]] && [[ ! -x "${DOTNET_ROOT:-/nonexistent}/dotnet" ]]; then
    say "the .NET 10 SDK is not installed: install it (https://learn.microsoft.com/dotnet/core/install/linux-debian) and run again" >&2
    exit 1
fi
say "ready"
