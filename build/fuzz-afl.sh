#!/usr/bin/env bash
# Coverage-guided fuzzing under afl++ through SharpFuzz (on demand, not in CI): the pack's assemblies are instrumented in
# a copy of test/Microsoft.ML.Attention.AflFuzzing's output, seeds are made by the harness itself, and afl-fuzz runs each
# target (model-zip, safetensors, from-weights) for SECONDS (default 300). Prints one
# "afl <target>: N executions, C corpus entries, K crashes, H hangs" line per target; exits non-zero on any crash or hang
# (afl keeps them under OUT/<target>/default/{crashes,hangs}; replay one with the uninstrumented harness,
# `dotnet test/Microsoft.ML.Attention.AflFuzzing/bin/Release/net10.0/Microsoft.ML.Attention.AflFuzzing.dll <target> <file>`).
#   build/fuzz-afl.sh [SECONDS [OUT [TARGET...]]]
# Needs afl++ (apt-get install afl++) and the SharpFuzz instrumenter (installed here into OUT/tools from NuGet).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-300}"
out="$(realpath -m "${2:-${TMPDIR:-/tmp}/attention-afl}")"
shift $(( $# > 2 ? 2 : $# ))
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(model-zip safetensors from-weights)
command -v afl-fuzz >/dev/null || { echo "fuzz-afl: afl-fuzz is missing (apt-get install afl++)" >&2; exit 1; }
mkdir -p "$out"
[ -x "$out/tools/sharpfuzz" ] || dotnet tool install --tool-path "$out/tools" SharpFuzz.CommandLine --version 2.3.0 >/dev/null
dotnet build test/Microsoft.ML.Attention.AflFuzzing -c Release -nologo -v quiet >"$out/build.log" 2>&1 || { cat "$out/build.log" >&2; exit 1; }
rm -rf "$out/bin" "$out/seeds"
harness=test/Microsoft.ML.Attention.AflFuzzing/bin/Release/net10.0
dotnet "$harness/Microsoft.ML.Attention.AflFuzzing.dll" seeds "$out/seeds"   # before instrumenting: instrumented code runs only under afl
cp -r "$harness" "$out/bin"
for assembly in Microsoft.ML.Attention.dll Microsoft.ML.Attention.Engine.dll; do
  "$out/tools/sharpfuzz" "$out/bin/$assembly" >/dev/null
done
export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
status=0
for target in "${targets[@]}"; do
  rm -rf "$out/$target"
  afl-fuzz -V "$seconds" -i "$out/seeds/$target" -o "$out/$target" -t 10000 -m none -- \
    dotnet "$out/bin/Microsoft.ML.Attention.AflFuzzing.dll" "$target" >"$out/$target.log" 2>&1 || { tail -20 "$out/$target.log" >&2; exit 1; }
  stats="$out/$target/default/fuzzer_stats"
  value() { awk -v k="$1" '$1 == k { print $3 }' "$stats"; }
  echo "afl $target: $(value execs_done) executions, $(value corpus_count) corpus entries, $(value saved_crashes) crashes, $(value saved_hangs) hangs ($(value run_time) s)"
  [ "$(value saved_crashes)" = 0 ] && [ "$(value saved_hangs)" = 0 ] || status=1
done
exit $status
