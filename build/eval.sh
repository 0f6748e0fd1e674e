#!/usr/bin/env bash
# Accuracy evaluations on real data (minutes each, so not unit tests). Prints "RESULT <name> <value> <unit>".
#   build/eval.sh imdb [EPOCHS [DROPOUT [AVERAGE_DECAY [WORD_DROPOUT [HIDDEN [VALIDATION_FRACTION]]]]]]   the hierarchical attention trainer on IMDB 25k/25k (../shared/data/imdb), default 5 epochs, BiGRU 100, 5 % held out
#   build/eval.sh fmnist [EPOCHS [MINUTES]] the CBAM image classifier on Fashion-MNIST 60k/10k (apt-get install dataset-fashion-mnist),
#                                           at most 30 epochs and a 10-minute training budget by default
#   build/eval.sh mnist-ram [EPOCHS [SHIFT [RANDOM_START [STD]]]]  the recurrent attention classifier (6 glimpses of 8×8) on MNIST
#                                           (../shared/data/mnist); default 20 epochs, no shift, first glimpse at the centre, std 0.1
#   build/eval.sh fra-eng [EPOCHS [PAIRS]]  SequenceToSequence English → French (../shared/data/fra-eng, ≤ 10 words, 5 % held out), default 3 epochs
#                                           on 50k pairs: BLEU, then the same model in PyTorch (build/torch_seq2seq.py) on the same split when installed
#   build/eval.sh fra-eng-pairs [EPOCHS [PAIRS]] co-attention: true English–French pairs vs shuffled ones (../shared/data/fra-eng), beside a bag of words
#   build/eval.sh dates [EPOCHS [ATTENTION]] sequence-to-sequence: 20k generated written dates → ISO, 2k held out, default 6 epochs, additive
#   build/eval.sh time-steps [SEEDS [EPOCHS [CELL [LR [WEIGHT_DECAY [BIDIRECTIONAL [STEP_BIAS]]]]]]] the seeds' time-step task (label at step 10 of 20, LSTM 32 +
#                                           attention, 30k sequences), once per seed (default 5): accuracy and the mean attention weight at
#                                           the deciding step; then the same model in PyTorch (build/torch_time_steps.py, LSTM cell only) when
#                                           installed. BIDIRECTIONAL 1 = both directions; STEP_BIAS 0 = without the learned step scores
#   build/eval.sh slurm [ROWS [TASKS]]     the command line's score as a Slurm job array (build/slurm-setup.sh) vs one process: byte-identical
set -euo pipefail
eval_name="${1:?usage: build/eval.sh EVAL [ARGS]   (evals: imdb, fmnist, mnist-ram, dates, time-steps, fra-eng, fra-eng-pairs, slurm)}"
shift
root="$(cd "$(dirname "$0")/.." && pwd)"
perf="$root/test/Microsoft.ML.Attention.PerformanceTests"
[ "$eval_name" = slurm ] && exec bash "$root/build/slurm-eval.sh" "$@"
dotnet build "$perf" -c Release -nologo -v quiet >/dev/null
dll="$perf/bin/Release/net10.0/Microsoft.ML.Attention.PerformanceTests.dll"
# The PyTorch side of an eval (build/SCRIPT ARGS), configured as ../shared/docs/pytorch-peer.md says, when it is installed.
torch_peer() {
  if /usr/bin/python3 -c "import torch" >/dev/null 2>&1 && [ -d /usr/lib/x86_64-linux-gnu/openblas-openmp ]; then
    source "$root/build/torch-peer-env.sh"
    env "${torch_peer_env[@]}" /usr/bin/python3 "$root/build/$1" "${@:2}"
  else
    echo "PyTorch (python3-torch with libopenblas0-openmp) is not installed: no PyTorch side." >&2
  fi
}
case "$eval_name" in
  imdb) exec dotnet "$dll" eval imdb "$root/../shared/data/imdb" "$@" ;;
  fmnist)
    fmnist=/usr/share/datasets/fashion-mnist
    [ -f "$fmnist/train-images-idx3-ubyte.gz" ] || { echo "Fashion-MNIST is missing: apt-get install -y dataset-fashion-mnist" >&2; exit 2; }
    exec dotnet "$dll" eval fmnist "$fmnist" "$@" ;;
  mnist-ram) exec dotnet "$dll" eval mnist-ram "$root/../shared/data/mnist" "$@" ;;
  dates) exec dotnet "$dll" eval dates "$@" ;;
  time-steps)
    dotnet "$dll" eval time-steps "$@"
    torch_peer torch_time_steps.py "${1:-5}" "${2:-10}" "${4:-0.01}" $([ "${7:-1}" = 0 ] && echo --no-step-bias) ;;
  fra-eng)
    split="$(mktemp -d)"
    trap 'rm -rf "$split"' EXIT
    dotnet "$dll" eval fra-eng "$root/../shared/data/fra-eng" "$split" "$@"
    torch_peer torch_seq2seq.py "$split" "${1:-3}" ;;
  fra-eng-pairs) exec dotnet "$dll" eval fra-eng-pairs "$root/../shared/data/fra-eng" "$@" ;;
  *) echo "Unknown eval '$eval_name' (evals: imdb, fmnist, mnist-ram, dates, time-steps, fra-eng, fra-eng-pairs, slurm)." >&2; exit 2 ;;
esac
