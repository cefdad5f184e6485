#!/usr/bin/env bash
# Installs what is missing, builds the whole solution (library, CLI, tests, benchmarks, samples) once
# in Release, runs every test project (tests/ and samples/), prints a per-project summary and, last, one line:
#   N passed, N failed, N skipped
# Exits non-zero when the build or any test fails. Tests that need the kernel skip, saying why, when
# the machine cannot load BPF programs; run as root to run them:  sudo scripts/test.sh
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$root/scripts/install-prerequisites.sh"
# shellcheck source=dotnet-env.sh
source "$root/scripts/dotnet-env.sh"
cd "$root"

solution=Ebpf.ProtocolTracing.sln
configuration=Release
results=$root/TestResults
# A stuck test fails after this long instead of eating the whole run; the outer timeout also
# covers a test host that hangs before any test starts.
hang_timeout=5m
project_timeout=20m

echo "== build $solution ($configuration)"
dotnet build "$solution" -c "$configuration" -nologo -clp:ErrorsOnly

rm -rf "$results"
mkdir -p "$results"

# Every test project of the solution: tests/ and the samples' own tests.
mapfile -t test_projects < <(dotnet sln "$solution" list | tr '\\' '/' | grep -E '\.Tests\.csproj$' | sort)
if ((${#test_projects[@]} == 0)); then
    echo "no test projects found in $solution" >&2
    exit 1
fi

# Reads one attribute of the <Counters> element of a TRX file (0 when absent).
counter() {
    local value
    value=$(grep -o "<Counters [^>]*" "$1" 2>/dev/null | grep -o " $2=\"[0-9]*\"" | grep -o '[0-9]\+' || true)
    echo "${value:-0}"
}

total_passed=0 total_failed=0 total_skipped=0
summary=()
failed_tests=()
status=0

for project in "${test_projects[@]}"; do
    name=$(basename "$project" .csproj)
    trx=$results/$name.trx
    echo "== test $name"
    set +e
    timeout --kill-after=30s "$project_timeout" \
        dotnet test "$project" -c "$configuration" --no-build -nologo \
        --logger "trx;LogFileName=$trx" --logger "console;verbosity=normal" \
        --results-directory "$results" \
        --blame-hang-timeout "$hang_timeout" --blame-hang-dump-type none
    exit_code=$?
    set -e

    passed=$(counter "$trx" passed)
    failed=$(( $(counter "$trx" failed) + $(counter "$trx" error) + $(counter "$trx" timeout) + $(counter "$trx" aborted) ))
    # The TRX counters leave skipped tests out of "executed" (notExecuted stays 0 for xunit skips).
    skipped=$(( $(counter "$trx" total) - $(counter "$trx" executed) ))
    note=""
    if ((exit_code != 0)); then
        status=1
        if ((failed == 0)); then
            # The host crashed, hung or timed out before it could report a failing test.
            failed=1
            note=" (dotnet test exited with $exit_code without reporting a failed test: crash, hang or timeout)"
            failed_tests+=("$name: test run aborted")
        fi
    fi
    if [[ -f $trx ]]; then
        while IFS= read -r test_name; do
            failed_tests+=("$name: $test_name")
        done < <(grep -o '<UnitTestResult [^>]*outcome="Failed"' "$trx" | sed -n 's/.* testName="\([^"]*\)".*/\1/p' | sed 's/&quot;/"/g; s/&amp;/\&/g; s/&lt;/</g; s/&gt;/>/g')
    fi
    total_passed=$((total_passed + passed))
    total_failed=$((total_failed + failed))
    total_skipped=$((total_skipped + skipped))
    summary+=("$(printf '%-40s %4d passed, %4d failed, %4d skipped%s' "$name" "$passed" "$failed" "$skipped" "$note")")
done

# A short fuzzing pass over every parser and the tracker (scripts/fuzz.sh; fixed seed, so it repeats).
echo "== fuzz"
set +e
FUZZ_ENGINE=mutate FUZZ_SEED=1 timeout --kill-after=30s 10m "$root/scripts/fuzz.sh" 5
fuzz_exit=$?
set -e
if ((fuzz_exit == 0)); then
    total_passed=$((total_passed + 1))
    summary+=("$(printf '%-40s %4d passed, %4d failed, %4d skipped' fuzz 1 0 0)")
else
    status=1
    total_failed=$((total_failed + 1))
    failed_tests+=("fuzz: a finding or a failed run (exit $fuzz_exit); inputs in fuzz/findings/")
    summary+=("$(printf '%-40s %4d passed, %4d failed, %4d skipped' fuzz 0 1 0)")
fi

echo
echo "== summary"
printf '%s\n' "${summary[@]}"
if ((${#failed_tests[@]} > 0)); then
    echo "failed:"
    printf '  %s\n' "${failed_tests[@]}"
fi
echo "TRX results: $results"
echo "$total_passed passed, $total_failed failed, $total_skipped skipped"
if ((total_failed > 0)); then
    status=1
fi
exit "$status"
