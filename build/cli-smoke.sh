#!/usr/bin/env bash
# The command line as a user gets it: packs the engine, the pack and the CLI into a local folder feed, installs the CLI
# with `dotnet tool install` from that feed, trains a text classifier on a small generated TSV and an image classifier
# on a folder of generated BMPs with short budgets, then builds and runs the consuming projects they generated
# (restoring Microsoft.ML.Attention, and ImageAnalytics for images, from the feed and NuGet) and checks their
# predictions. Prints "cli smoke: passed" or exits 1.
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
# Images: 16×16 24-bit BMPs of random dark or light noise, one folder per label.
bmp_header='BM\x36\x03\x00\x00\x00\x00\x00\x00\x36\x00\x00\x00\x28\x00\x00\x00\x10\x00\x00\x00\x10\x00\x00\x00\x01\x00\x18\x00\x00\x00\x00\x00\x00\x03\x00\x00\x13\x0b\x00\x00\x13\x0b\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00'
mkdir -p "$work/images/dark" "$work/images/light"
for i in $(seq 1 40); do
  { printf "$bmp_header"; head -c 768 /dev/urandom | tr '\000-\377' '\000-\177'; } > "$work/images/dark/$i.bmp"
  { printf "$bmp_header"; head -c 768 /dev/urandom | tr '\000-\377' '\200-\377'; } > "$work/images/light/$i.bmp"
done
(cd "$work" && "$tool" image-classification --dataset images --trainers image-attention --train-time 10 --width 16 --height 16 \
  --output Brightness --package-source "$feed") || { echo "cli smoke: image-classification failed" >&2; exit 1; }
output=$(dotnet run --project "$work/Brightness/Brightness.ConsoleApp/Brightness.ConsoleApp.csproj" -c Release -- "$work/images/light/1.bmp" 2>&1) \
  || { echo "$output" >&2; echo "cli smoke: the generated image project failed" >&2; exit 1; }
echo "$output"
grep -qE "Predicted Label: (dark|light)" <<<"$output" || { echo "cli smoke: the generated image project printed no prediction" >&2; exit 1; }
echo "cli smoke: passed"
