# Sourced by the other scripts: finds the .NET SDK even under sudo (whose PATH is reset) and keeps
# the CLI quiet and non-interactive.
for candidate in "${DOTNET_ROOT:-}" /usr/share/dotnet /usr/lib/dotnet "$HOME/.dotnet"; do
    if [[ -n $candidate && -x $candidate/dotnet ]]; then
        PATH="$candidate:$PATH"
        break
    fi
done
export PATH
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
export DOTNET_CLI_UI_LANGUAGE=en
