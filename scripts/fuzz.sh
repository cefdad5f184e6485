#!/usr/bin/env bash
# Fuzzes every parser and the connection tracker, each for a while, and reports executions and findings
# per target. Exits non-zero when any target found a crash or a hang.
#
#   scripts/fuzz.sh [seconds-per-target] [target...]     default 60 s (CI=true: 10 s), every target
#   FUZZ_ENGINE=afl|mutate                              default: afl when afl-fuzz is installed
#   FUZZ_SEED=N                                         mutate: a fixed seed, so a run repeats exactly
#
# afl:    coverage-guided. The sharpfuzz tool instruments the parser and tracker assemblies, AFL++
#         (apt: afl++) drives `protocol-fuzz afl <target>` through SharpFuzz's out-of-process runner.
# mutate: blind mutations of the corpus in one process, with a 5 s per-input hang limit. Needs nothing
#         but the SDK; it is what CI runs.
# Seeds are fuzz/corpus/<target>/ (the unit tests' conversations). Findings land in fuzz/findings/<target>/;
# replay one with: dotnet fuzz/out/protocol-fuzz.dll run <target> <file>
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=dotnet-env.sh
source "$root/scripts/dotnet-env.sh"
cd "$root"

if [[ ${CI:-} == true ]]; then default_seconds=10; else default_seconds=60; fi
seconds=${1:-$default_seconds}
shift || true
engine=${FUZZ_ENGINE:-}
if [[ -z $engine ]]; then
    if command -v afl-fuzz >/dev/null; then engine=afl; else engine=mutate; fi
fi

out=$root/fuzz/out
findings=$root/fuzz/findings
echo "== build protocol-fuzz ($engine, $seconds s per target)"
dotnet build fuzz/Ebpf.ProtocolTracing.Fuzz/Ebpf.ProtocolTracing.Fuzz.csproj -c Release -nologo -clp:ErrorsOnly -o "$out" >/dev/null
fuzzer=(dotnet "$out/protocol-fuzz.dll")
mapfile -t targets < <(if (($# > 0)); then printf '%s\n' "$@"; else "${fuzzer[@]}" list; fi)

if [[ $engine == afl ]]; then
    tools=$root/fuzz/.tools
    if [[ ! -x $tools/sharpfuzz ]]; then
        dotnet tool install --tool-path "$tools" SharpFuzz.CommandLine --version 2.3.0 >/dev/null
    fi
    # Coverage comes from the code under test only; instrumenting is idempotent per fresh build.
    for assembly in Ebpf.ProtocolTracing.Parsers.dll Ebpf.ProtocolTracing.dll; do
        "$tools/sharpfuzz" "$out/$assembly" >/dev/null
    done
fi

status=0
report=()
for target in "${targets[@]}"; do
    corpus=$root/fuzz/corpus/$target
    mkdir -p "$findings/$target"
    if [[ -z $(ls -A "$corpus" 2>/dev/null) ]]; then
        # A target with no seeds yet starts from one empty delivery.
        corpus=$findings/$target/seed
        mkdir -p "$corpus"
        printf '\0' >"$corpus/empty"
    fi
    if [[ $engine == afl ]]; then
        run_dir=$findings/$target/afl
        rm -rf "$run_dir"
        # The dotnet host is not instrumented itself, crashes surface as aborts, and the machine's
        # core_pattern and CPU governor are not ours to change.
        AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_SKIP_CPUFREQ=1 \
        AFL_NO_AFFINITY=1 AFL_QUIET=1 \
            afl-fuzz -i "$corpus" -o "$run_dir" -t 5000 -m none -V "$seconds" -- "${fuzzer[@]}" afl "$target" \
            >"$findings/$target/afl.log" 2>&1 || true
        stats=$run_dir/default/fuzzer_stats
        if [[ ! -f $stats ]]; then
            echo "afl-fuzz did not start for $target; its log:" >&2
            tail -20 "$findings/$target/afl.log" >&2
            status=1
            report+=("$target: afl-fuzz did not start")
            continue
        fi
        stat() { sed -n "s/^$1 *: *//p" "$stats"; }
        execs=$(stat execs_done) crashes=$(stat saved_crashes) hangs=$(stat saved_hangs) paths=$(stat corpus_count)
        line="$target: $execs executions, $paths corpus entries, $crashes crashes, $hangs hangs"
        if ((crashes > 0 || hangs > 0)); then
            status=1
            line+=" (inputs in $run_dir/default/crashes and hangs)"
        fi
        report+=("$line")
    else
        set +e
        line=$("${fuzzer[@]}" mutate "$target" "$seconds" "$corpus" "$findings/$target" ${FUZZ_SEED:+"$FUZZ_SEED"} | tee /dev/stderr | tail -1)
        code=$?
        set -e
        ((code == 0)) || status=1
        report+=("$line")
    fi
done

echo
echo "== fuzzing summary ($engine)"
printf '%s\n' "${report[@]}"
exit "$status"
