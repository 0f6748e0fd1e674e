#!/usr/bin/env bash
# Regenerates the PyTorch weight-interchange fixtures (test/Microsoft.ML.Attention.Tests/Fixtures/pytorch) and checks the
# pack -> PyTorch direction in PyTorch itself, for AttentionEncode (build/pytorch/attention_encoder.py), the
# hierarchical attention network (build/pytorch/hierarchical_attention.py), the image attention network
# (build/pytorch/image_attention.py), the sequence-to-sequence model (build/pytorch/sequence_to_sequence.py), the
# time-step attention model (build/pytorch/time_step_attention.py), the co-attention pair classifier
# (build/pytorch/co_attention.py) and the recurrent visual attention classifier (build/pytorch/recurrent_attention.py):
#   1. PyTorch trains the script's module and writes torch-*.safetensors + its outputs;
#   2. the pack trains its model on the same words and writes pack-*.safetensors (SaveWeights) + outputs;
#   3. PyTorch loads pack-*.safetensors with load_state_dict(strict=True) and must reproduce the pack's outputs (1e-4).
# Needs Debian's python3-torch (/usr/bin/python3); the C# tests then need no Python.
set -euo pipefail
cd "$(dirname "$0")/.."
fixtures=test/Microsoft.ML.Attention.Tests/Fixtures/pytorch
/usr/bin/python3 build/pytorch/attention_encoder.py export-torch "$fixtures"
/usr/bin/python3 build/pytorch/hierarchical_attention.py export-torch "$fixtures"
/usr/bin/python3 build/pytorch/image_attention.py export-torch "$fixtures"
/usr/bin/python3 build/pytorch/sequence_to_sequence.py export-torch "$fixtures"
/usr/bin/python3 build/pytorch/time_step_attention.py export-torch "$fixtures"
/usr/bin/python3 build/pytorch/co_attention.py export-torch "$fixtures"
/usr/bin/python3 build/pytorch/recurrent_attention.py export-torch "$fixtures"
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
ATTENTION_WRITE_PYTORCH_FIXTURE="$out" dotnet test test/Microsoft.ML.Attention.Tests -c Release \
  --filter "FullyQualifiedName~InterchangeTests.PackWeightsCommittedForPyTorch" >/dev/null || true   # checks the old files
cp "$out"/pack-* "$fixtures/"
/usr/bin/python3 build/pytorch/attention_encoder.py check-pack "$fixtures"
/usr/bin/python3 build/pytorch/hierarchical_attention.py check-pack "$fixtures"
/usr/bin/python3 build/pytorch/image_attention.py check-pack "$fixtures"
/usr/bin/python3 build/pytorch/sequence_to_sequence.py check-pack "$fixtures"
/usr/bin/python3 build/pytorch/time_step_attention.py check-pack "$fixtures"
/usr/bin/python3 build/pytorch/co_attention.py check-pack "$fixtures"
/usr/bin/python3 build/pytorch/recurrent_attention.py check-pack "$fixtures"
dotnet test test/Microsoft.ML.Attention.Tests -c Release --filter "FullyQualifiedName~InterchangeTests"
