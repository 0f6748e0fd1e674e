#!/usr/bin/env bash
# Accuracy evaluations on real data (minutes each, so not unit tests). Prints "RESULT <name> <value> <unit>".
#   build/eval.sh imdb [EPOCHS [DROPOUT]]   the hierarchical attention trainer on IMDB 25k/25k (../shared/data/imdb), default 4 epochs
set -euo pipefail
eval_name="${1:?usage: build/eval.sh EVAL [ARGS]   (evals: imdb)}"
shift
root="$(cd "$(dirname "$0")/.." && pwd)"
perf="$root/test/Microsoft.ML.Attention.PerformanceTests"
dotnet build "$perf" -c Release -nologo -v quiet >/dev/null
dll="$perf/bin/Release/net10.0/Microsoft.ML.Attention.PerformanceTests.dll"
case "$eval_name" in
  imdb) exec dotnet "$dll" eval imdb "$root/../shared/data/imdb" "$@" ;;
  *) echo "Unknown eval '$eval_name' (evals: imdb)." >&2; exit 2 ;;
esac
