#!/usr/bin/env bash
# Packs the NuGet packages (library, parsers, OpenTelemetry integration when present, and the
# protocol-trace tool) into artifacts/packages, with their symbol packages.
# Usage: scripts/pack.sh [output-dir] [extra dotnet pack arguments...]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
output="${1:-$root/artifacts/packages}"
shift || true
mkdir -p "$output"

projects=(
  src/Ebpf.ProtocolTracing.Parsers/Ebpf.ProtocolTracing.Parsers.csproj
  src/Ebpf.ProtocolTracing/Ebpf.ProtocolTracing.csproj
  src/Ebpf.ProtocolTracing.OpenTelemetry/Ebpf.ProtocolTracing.OpenTelemetry.csproj
  src/Ebpf.ProtocolTracing.Cli/Ebpf.ProtocolTracing.Cli.csproj
)
for project in "${projects[@]}"; do
  [[ -f "$root/$project" ]] || continue
  dotnet pack "$root/$project" -c Release -o "$output" --nologo -v quiet "$@"
done

# The library is useless without its BPF object: refuse to publish a package that lacks it.
library=$(ls "$output"/Ebpf.ProtocolTracing.[0-9]*.nupkg | grep -v '\.symbols\.' | head -1)
dll=$(mktemp); trap 'rm -f "$dll"' EXIT
unzip -p "$library" lib/net10.0/Ebpf.ProtocolTracing.dll > "$dll"
if ! LC_ALL=C grep -aq 'Ebpf.ProtocolTracing.trace.bpf.o' "$dll" || ! LC_ALL=C grep -aqP '(?s)\x7fELF\x02\x01\x01.{9}\x01\x00\xf7\x00' "$dll"; then
  echo "pack.sh: $library has no embedded BPF object; build native/bpf (make -C native/bpf) and pack again." >&2
  exit 1
fi
ls -1 "$output"
