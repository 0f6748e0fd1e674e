using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Models;
using Microsoft.ML.Attention.Nn;
using Microsoft.ML.Attention.Tensors;
using Microsoft.ML.Attention.Transforms;
using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.PerformanceTests.Suites;

/// <summary>
/// Where <c>AttentionEncode</c> scoring spends its time, on the scoring suite's model and texts (32 and 256 words):
/// tokenizing alone, and the forward pass alone over pre-tokenized rows on one core (<c>forward_one_core_bN</c>: blocks
/// of N rows) and on all cores (<c>forward_all_cores_bN</c>, the kernels spread as <c>Transform</c> spreads them for
/// one row; <c>forward_pieces_b64</c>, a block cut into one piece per core as batched scoring does), and the whole
/// <c>Transform</c> + scan row by row and in blocks (1,024 texts of 32 words, 256 of 256 words).
/// <c>one_core_block_gain</c> is the best one-core block rate over the one-core single-row rate: what blocks save per
/// row of compute, before any second core. Then one encoder layer's operations timed apart at a block's piece shape
/// (16 rows of 32 tokens) on one core, in microseconds per call.
/// </summary>
internal static class ScoringPartsSuite
{

    internal static int Run()
    {
        foreach (int words in new[] { 32, 256 })
        {
            RunAt(words);
        }

        LayerParts(16, 32);
        return 0;
    }

    private static void RunAt(int words)
    {
        var ml = new MLContext(seed: 1);
        var options = new AttentionEncodeOptions { MaximumLength = words, Epochs = 1, Seed = 1 };
        IDataView train = ml.Data.LoadFromEnumerable(ScoringSuite.Texts(2_000, words, seed: 1));
        var encoder = (AttentionEncodeTransformer)ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.Transforms.AttentionEncode(options)).Fit(train).LastTransformer;
        int rows = words <= 32 ? 1_024 : 256;
        List<ScoringSuite.Document> texts = ScoringSuite.Texts(rows, words, seed: 2);
        string name = $"scoring_parts.w{words}";

        int[][] Tokenize() => [.. texts.Select((t, i) => encoder.Reader.Tokens(t.Text.AsMemory(), i, out _))];
        Timing.Result($"{name}.tokenize", rows / Timing.BestSeconds(() => Tokenize(), rounds: 5), "rows/s");
        int[][] ids = Tokenize();

        void Encode(int[][] block)
        {
            using TensorScope scope = TensorScope.Begin();
            using (GradMode.NoGrad())
            {
                encoder.Model.Encode(EncoderBatch.FromTokens(block));
            }
        }

        void InBlocks(int block, Action<int[][]> run)
        {
            for (int start = 0; start < rows; start += block)
            {
                run(ids[start..Math.Min(rows, start + block)]);
            }
        }

        double Rate(int block, Action<int[][]> run) => rows / Timing.BestSeconds(() => InBlocks(block, run), rounds: 5);

        var oneCore = new Dictionary<int, double>();
        foreach (int block in new[] { 1, 4, 16, 64 })
        {
            using (EngineThreads.OnCallingThreadOnly())
            {
                oneCore[block] = Rate(block, Encode);
            }

            Timing.Result($"{name}.forward_one_core_b{block}", oneCore[block], "rows/s");
        }

        foreach (int block in new[] { 1, 64 })
        {
            Timing.Result($"{name}.forward_all_cores_b{block}", Rate(block, Encode), "rows/s");
        }

        void Pieces(int[][] block)
        {
            int parts = EngineThreads.Count;
            EngineThreads.ForEachPiece(parts, p => Encode(block[(block.Length * p / parts)..(block.Length * (p + 1) / parts)]));
        }

        Timing.Result($"{name}.forward_pieces_b64", Rate(64, Pieces), "rows/s");
        IDataView data = ml.Data.LoadFromEnumerable(texts);
        double Scan(AttentionEncodeTransformer model) => rows / Timing.BestSeconds(() => _ = model.Transform(data).GetColumn<float[]>("Embedding").ToArray(), rounds: 5);
        Timing.Result($"{name}.transform_row_by_row", Scan(encoder.WithScoringBatchSize(1)), "rows/s");
        Timing.Result($"{name}.transform_batched", Scan(encoder), "rows/s");
        Timing.Result($"{name}.one_core_block_gain", oneCore.Values.Max() / oneCore[1], "x");
    }

    /// <summary>One pre-norm encoder layer of the default model (d 64, 4 heads, feed-forward 128, GELU), its operations timed apart on one core.</summary>
    private static void LayerParts(int batch, int length)
    {
        var random = new Random(1);
        var layer = new TransformerEncoderLayer(64, 4, 128, 0.1f, ActivationKind.Gelu, normFirst: true, random: random);
        layer.Eval();
        Tensor x = Tensor.Randn(random, 1f, batch, length, 64);
        Tensor hidden = Tensor.Randn(random, 1f, batch, length, 128);
        Tensor qkv = Tensor.Randn(random, 1f, batch, length, 192);
        var parts = new (string Name, Func<Tensor> Op)[]
        {
            ("layer_norm", () => layer.Norm1.Forward(x)),
            ("qkv_projection", () => x.Linear(layer.SelfAttention.InProjWeight!, layer.SelfAttention.InProjBias)),
            ("attention", () => Ops.PackedSelfAttention(qkv, 4, null, null, null, false, null, 0f, null, AttentionWeights.None).Output),
            ("out_projection", () => layer.SelfAttention.OutProj.Forward(x)),
            ("residual_add", () => x.Add(x)),
            ("linear1", () => layer.Linear1.Forward(x)),
            ("gelu", () => hidden.Gelu()),
            ("linear2", () => layer.Linear2.Forward(hidden)),
            ("whole_layer", () => layer.Forward(x).Output),
        };
        using IDisposable serial = EngineThreads.OnCallingThreadOnly();
        using (GradMode.NoGrad())
        {
            foreach ((string name, Func<Tensor> op) in parts)
            {
                double seconds = Timing.BestSeconds(() =>
                {
                    using TensorScope scope = TensorScope.Begin();
                    op();
                }, rounds: 5);
                Timing.Result($"scoring_parts.layer_b{batch}x{length}.{name}", seconds * 1e6, "us");
            }
        }
    }
}
