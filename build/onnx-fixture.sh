#!/usr/bin/env bash
# Regenerates the ONNX consumer fixture: trains the small AttentionEncode + SDCA model of OnnxConsumerFixtureTests (seeded),
# writes the pack's file (test/Microsoft.ML.Attention.Tests/Fixtures/onnx-chain/pack-model.zip), the ML.NET-native chain
# (test/Microsoft.ML.Attention.OnnxConsumerTests/Fixtures/attention-encode/model.zip) and the pack's predictions
# (expected.json beside it), and the same for an image featurizer chain (image-pack-model.zip; image-featurizer/). Run after a change to the export or to the model's file format; commit the three files.
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
ATTENTION_WRITE_ONNX_FIXTURE="$out" dotnet test test/Microsoft.ML.Attention.Tests -c Release \
  --filter "FullyQualifiedName~OnnxConsumerFixtureTests" >/dev/null || true   # the check runs against the old files
cp "$out/pack-model.zip" test/Microsoft.ML.Attention.Tests/Fixtures/onnx-chain/pack-model.zip
cp "$out/model.zip" "$out/expected.json" test/Microsoft.ML.Attention.OnnxConsumerTests/Fixtures/attention-encode/
cp "$out/image-pack-model.zip" test/Microsoft.ML.Attention.Tests/Fixtures/onnx-chain/image-pack-model.zip
cp "$out/image-model.zip" test/Microsoft.ML.Attention.OnnxConsumerTests/Fixtures/image-featurizer/model.zip
cp "$out/image-expected.json" test/Microsoft.ML.Attention.OnnxConsumerTests/Fixtures/image-featurizer/expected.json
ATTENTION_WRITE_ONNX_FIXTURE= dotnet test test/Microsoft.ML.Attention.Tests -c Release --filter "FullyQualifiedName~OnnxConsumerFixtureTests"
ls -l test/Microsoft.ML.Attention.Tests/Fixtures/onnx-chain test/Microsoft.ML.Attention.OnnxConsumerTests/Fixtures/attention-encode
