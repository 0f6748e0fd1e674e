using BenchmarkDotNet.Running;
using Microsoft.ML.Attention.Models;
using Microsoft.ML.Attention.PerformanceTests.Suites;

namespace Microsoft.ML.Attention.PerformanceTests;

/// <summary>
/// Entry point. <c>suite NAME</c> runs one side-by-side suite and prints <c>RESULT name value unit</c> lines
/// (build/bench.sh adds PyTorch's side and the ratios); <c>eval NAME ...</c> runs an accuracy evaluation (build/eval.sh);
/// anything else goes to BenchmarkDotNet.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length >= 2 && args[0] == "suite")
        {
            switch (args[1])
            {
                case "gemm":
                    GemmSuite.Run();
                    return 0;
                case "peak":
                    PeakSuite.Run();
                    return 0;
                case "attention":
                    AttentionSuite.Run();
                    return 0;
                case "attention-memory" when args.Length == 4:
                    AttentionSuite.MemoryAt(int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture), args[3]);
                    return 0;
                case "attention-parts":
                    AttentionPartsSuite.Run();
                    return 0;
                case "encoder":
                    EncoderSuite.Run();
                    return 0;
                case "han":
                    HanSuite.Run();
                    return 0;
                case "cnn":
                    CnnSuite.Run();
                    return 0;
                case "cnn-parts":
                    CnnPartsSuite.Run();
                    return 0;
                case "recurrent":
                    RecurrentSuite.Run();
                    return 0;
                case "seq2seq":
                    Seq2SeqSuite.Run();
                    return 0;
                case "textload":
                    return TextLoadSuite.Run();
                case "scoring":
                    return ScoringSuite.Run();
                case "scoring-parts":
                    return ScoringPartsSuite.Run();
                case "onnx":
                    return OnnxSuite.Run();
                default:
                    Console.Error.WriteLine($"Unknown suite '{args[1]}'. Known: gemm, peak, attention, attention-parts, encoder, recurrent, han, seq2seq, cnn, cnn-parts, textload, scoring, scoring-parts, onnx.");
                    return 2;
            }
        }

        if (args.Length >= 2 && args[0] == "eval")
        {
            switch (args[1])
            {
                case "imdb" when args.Length >= 3:
                    return Evals.ImdbEval.Run(
                        args[2],
                        args.Length >= 4 ? int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 5,
                        args.Length >= 5 ? float.Parse(args[4], System.Globalization.CultureInfo.InvariantCulture) : null,
                        args.Length >= 6 ? float.Parse(args[5], System.Globalization.CultureInfo.InvariantCulture) : null,
                        args.Length >= 7 ? float.Parse(args[6], System.Globalization.CultureInfo.InvariantCulture) : null,
                        args.Length >= 8 ? int.Parse(args[7], System.Globalization.CultureInfo.InvariantCulture) : null,
                        args.Length >= 9 ? float.Parse(args[8], System.Globalization.CultureInfo.InvariantCulture) : null);
                case "fmnist" when args.Length >= 3:
                    return Evals.FashionMnistEval.Run(
                        args[2],
                        args.Length >= 4 ? int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 30,
                        args.Length >= 5 ? double.Parse(args[4], System.Globalization.CultureInfo.InvariantCulture) : 10);
                case "mnist-ram" when args.Length >= 3:
                    return Evals.MnistRamEval.Run(args[2], args.Length >= 4 ? int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 20,
                        args.Length >= 5 ? int.Parse(args[4], System.Globalization.CultureInfo.InvariantCulture) : RecurrentAttentionOptions.Defaults.RandomShift,
                        args.Length >= 6 ? args[5] == "1" : RecurrentAttentionOptions.Defaults.RandomStartLocation,
                        args.Length >= 7 ? float.Parse(args[6], System.Globalization.CultureInfo.InvariantCulture) : RecurrentAttentionOptions.Defaults.LocationStd);
                case "fra-eng" when args.Length >= 4:
                    return Evals.FraEngTranslationEval.Run(args[2], args.Length >= 5 ? int.Parse(args[4], System.Globalization.CultureInfo.InvariantCulture) : 3,
                        args.Length >= 6 ? int.Parse(args[5], System.Globalization.CultureInfo.InvariantCulture) : 50_000, args[3]);
                case "fra-eng-pairs" when args.Length >= 3:
                    return Evals.FraEngPairsEval.Run(args[2], args.Length >= 4 ? int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : 3,
                        args.Length >= 5 ? int.Parse(args[4], System.Globalization.CultureInfo.InvariantCulture) : 40_000);
                case "dates":
                    return Evals.DatesEval.Run(args.Length >= 3 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 6,
                        args.Length >= 4 ? Enum.Parse<DecoderAttentionKind>(args[3], ignoreCase: true) : SequenceToSequenceOptions.Defaults.Attention);
                case "time-steps":
                    return Evals.TimeStepsEval.Run(args.Length >= 3 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 5,
                        args.Length >= 4 ? int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture) : TimeStepAttentionOptions.Defaults.Epochs,
                        args.Length >= 5 ? Enum.Parse<RecurrentCell>(args[4], ignoreCase: true) : RecurrentCell.Lstm,
                        args.Length >= 6 ? float.Parse(args[5], System.Globalization.CultureInfo.InvariantCulture) : TimeStepAttentionOptions.Defaults.LearningRate,
                        args.Length >= 7 ? float.Parse(args[6], System.Globalization.CultureInfo.InvariantCulture) : TimeStepAttentionOptions.Defaults.WeightDecay,
                        args.Length >= 8 && args[7] == "1",
                        args.Length < 9 || args[8] != "0");
                default:
                    Console.Error.WriteLine($"Unknown eval '{args[1]}'. Known: imdb DATA_DIR [EPOCHS [DROPOUT [AVERAGE_DECAY [WORD_DROPOUT [HIDDEN [VALIDATION_FRACTION]]]]]], fmnist DATA_DIR [EPOCHS [MINUTES]], mnist-ram DATA_DIR [EPOCHS [SHIFT [RANDOM_START [STD]]]], dates [EPOCHS [ATTENTION]], time-steps [SEEDS [EPOCHS [CELL [LEARNING_RATE [WEIGHT_DECAY [BIDIRECTIONAL [STEP_BIAS]]]]]]], fra-eng-pairs DATA_DIR [EPOCHS [PAIRS]], fra-eng DATA_DIR SPLIT_DIR [EPOCHS [PAIRS]].");
                    return 2;
            }
        }

        BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
        return 0;
    }
}
