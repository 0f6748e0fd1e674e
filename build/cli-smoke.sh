#!/usr/bin/env bash
# The command line as a user gets it: packs the engine, the pack and the CLI into a local folder feed, installs the CLI
# with `dotnet tool install` from that feed, trains a text classifier on a small generated TSV with a short budget,
# then builds and runs the consuming project it generated (restoring Microsoft.ML.Attention from the feed) and checks
# its prediction. Prints "cli smoke: passed" or exits 1.
set -euo pipefail
cd "$(dirname "$0")/.."

version="0.1.0-clismoke.$(date +%s).$$"
work=$(mktemp -d)
feed="$work/feed"
cleanup() {
  rm -rf "$work"
  for id in microsoft.ml.attention microsoft.ml.attention.engine microsoft.ml.attention.cli; do
    rm -rf "${NUGET_PACKAGES:-$HOME/.nuget/packages}/$id/$version"
  done
}
trap cleanup EXIT

for project in src/Microsoft.ML.Attention.Engine src/Microsoft.ML.Attention src/Microsoft.ML.Attention.Cli; do
  dotnet pack "$project" -c Release -o "$feed" -p:Version="$version" --nologo -v quiet
done

dotnet tool install Microsoft.ML.Attention.Cli --version "$version" --tool-path "$work/tools" --add-source "$feed" >/dev/null
tool="$work/tools/mlnet-attention"
"$tool" --help | grep -q "text-classification" || { echo "cli smoke: --help lacks text-classification" >&2; exit 1; }

data="$work/reviews.tsv"
{
  printf 'Sentiment\tReview\n'
  filler=(the a of and to in is it that was for on with as this)
  for i in $(seq 1 300); do
    if (( i % 2 )); then label=pos; cue=(great wonderful excellent superb); else label=neg; cue=(awful terrible boring dreadful); fi
    words="${filler[$((i % 15))]} ${filler[$(((i * 7) % 15))]} ${cue[$((i % 4))]} ${filler[$(((i * 3) % 15))]} ${filler[$(((i * 11) % 15))]}"
    printf '%s\t%s\n' "$label" "$words"
  done
} > "$data"

(cd "$work" && "$tool" text-classification --dataset reviews.tsv --label-col Sentiment --train-time 10 --trainers attention-encode \
  --output Reviews --package-source "$feed") || { echo "cli smoke: text-classification failed" >&2; exit 1; }
[ -f "$work/Reviews/model.zip" ] && [ -f "$work/Reviews/report.html" ] || { echo "cli smoke: the output folder is incomplete" >&2; exit 1; }

# The generated project restores outside this repository, so none of its build files apply.
output=$(dotnet run --project "$work/Reviews/Reviews.ConsoleApp/Reviews.ConsoleApp.csproj" -c Release -- "what a superb and wonderful film" 2>&1) \
  || { echo "$output" >&2; echo "cli smoke: the generated project failed" >&2; exit 1; }
echo "$output"
grep -q "Predicted Sentiment: pos" <<<"$output" || { echo "cli smoke: the generated project predicted wrongly" >&2; exit 1; }
echo "cli smoke: passed"
