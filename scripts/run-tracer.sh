#!/usr/bin/env bash
# Installs what is missing, then runs the protocol-trace CLI with the given arguments, e.g.
#   sudo scripts/run-tracer.sh --json --duration 10
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/install-prerequisites.sh" >&2
# shellcheck source=dotnet-env.sh
source "$root/scripts/dotnet-env.sh"
cd "$root"
exec dotnet run --project src/Ebpf.ProtocolTracing.Cli -c Release -- "$@"
