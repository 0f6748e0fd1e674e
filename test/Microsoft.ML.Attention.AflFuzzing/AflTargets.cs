using Microsoft.ML.Attention.Models;
using Microsoft.ML.Attention.Serialization;
using Microsoft.ML.Attention.Tensors;
using Microsoft.ML.Attention.Transforms;
using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.AflFuzzing;

/// <summary>
/// The formats fuzzed under afl: a model zip of <c>SaveWithAttention</c> (loaded and scoring three rows; afl mutates the
/// zip's bytes, so most inputs stop at the manifest's checksums — the managed harness of the test project also mutates
/// behind them), a safetensors weights file, and a whole-model weights file read by <c>FromWeights</c>.
/// </summary>
internal static class AflTargets
{
    private static readonly MLContext Ml = new(seed: 1);

    private static AttentionEncodeOptions Options => new()
    {
        ModelDimension = 8, Heads = 2, Layers = 1, FeedForwardDimension = 8, Epochs = 1, MaximumLength = 16, Seed = 1, VocabularySize = 20,
        AttentionWeightsColumnName = "Weights",
    };

    private static readonly string[] Vocabulary = ["<pad>", "<unk>", .. Enumerable.Range(0, 10).Select(i => $"w{i}")];

    public static IReadOnlyList<AflTarget> All { get; } =
    [
        new("model-zip", ModelZip, ScoreModel, [typeof(InvalidDataException), typeof(NotSupportedException)]),
        new("safetensors", FuzzSeeds.SafeTensorsFile, bytes => SafeTensors.Read(new MemoryStream(bytes), bytes.Length), [typeof(InvalidDataException)]),
        new("from-weights", EncoderWeights, FromWeights, [typeof(InvalidDataException)]),
    ];

    private static IDataView Texts() => Ml.Data.LoadFromEnumerable(Enumerable.Range(0, 40).Select(i => new TextRow
    {
        Text = string.Join(' ', Enumerable.Range(0, 2 + i % 5).Select(j => $"w{(i * 7 + j * 3) % 10}")),
        Label = i % 3 == 0,
    }));

    private static byte[] ModelZip()
    {
        var pipeline = Ml.Transforms.AttentionEncode(Options)
            .Append(Ml.BinaryClassification.Trainers.SdcaLogisticRegression("Label", "Embedding", maximumNumberOfIterations: 3));
        IDataView data = Texts();
        using var stream = new MemoryStream();
        Ml.Model.SaveWithAttention(pipeline.Fit(data), data.Schema, stream);
        return stream.ToArray();
    }

    private static void ScoreModel(byte[] bytes)
    {
        ITransformer model = Ml.Model.LoadWithAttention(new MemoryStream(bytes, writable: false), out _);
        IDataView scored = model.Transform(Ml.Data.TakeRows(Texts(), 3));
        foreach (DataViewSchema.Column column in scored.Schema.Where(c => !c.IsHidden && c.Type is VectorDataViewType { ItemType: NumberDataViewType }))
        {
            _ = scored.GetColumn<float[]>(column).Count();
        }
    }

    private static byte[] EncoderWeights()
    {
        string path = Path.Combine(Path.GetTempPath(), $"afl-seed-{Guid.NewGuid():N}.safetensors");
        try
        {
            AttentionEncodeTransformer model = Ml.Transforms.AttentionEncode(Options).Fit(Texts());
            model.SaveWeights(path);
            return File.ReadAllBytes(path);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static void FromWeights(byte[] bytes)
    {
        string path = Path.Combine(Path.GetTempPath(), $"afl-input-{Environment.ProcessId}.safetensors");
        File.WriteAllBytes(path, bytes);
        AttentionEncodeTransformer model = AttentionEncodeTransformer.FromWeights(Options, Vocabulary, path);
        _ = model.Transform(Ml.Data.TakeRows(Texts(), 2)).GetColumn<float[]>("Embedding").Count();
    }

    private sealed class TextRow
    {
        public string Text { get; set; } = "";

        public bool Label { get; set; }
    }
}
