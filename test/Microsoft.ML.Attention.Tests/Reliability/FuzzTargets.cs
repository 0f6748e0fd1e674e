using Microsoft.ML.Attention.Models;
using Microsoft.ML.Attention.Serialization;
using Microsoft.ML.Attention.Tensors;
using Microsoft.ML.Attention.Tests.Transforms;
using Microsoft.ML.Attention.Training;
using Microsoft.ML.Attention.Transforms;
using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.Tests.Reliability;

/// <summary>
/// Every file the pack reads, with a seed made here: the model zip of <c>SaveWithAttention</c> (mutated as raw bytes,
/// as its manifest, and as one inner entry — settings, vocabulary, weights or an ML.NET part — with the manifest's
/// SHA-256 redone so that the mutation reaches the parser behind the checksum), a safetensors weights file, a training
/// checkpoint, and a GloVe-format word-vector file. A loaded model also scores a few rows.
/// </summary>
internal static class FuzzTargets
{
    private static readonly MLContext Ml = new(seed: 1);

    internal static IEnumerable<FuzzTarget> All()
    {
        byte[] model = SavedModelZip();
        Type[] modelContract = [typeof(InvalidDataException), typeof(NotSupportedException)];
        yield return new("model-zip.raw", model, (m, seed) => m.Mutate(seed), ScoreModel, modelContract);
        yield return new("model-zip.manifest", model, (m, seed) => MutateEntry(m, seed, manifest: true), ScoreModel, modelContract);
        yield return new("model-zip.entry", model, (m, seed) => MutateEntry(m, seed, manifest: false), ScoreModel, modelContract);
        yield return new("safetensors", AflFuzzing.FuzzSeeds.SafeTensorsFile(), (m, seed) => m.Mutate(seed), bytes => SafeTensors.Read(new MemoryStream(bytes), bytes.Length), [typeof(InvalidDataException)]);
        (byte[] checkpoint, string fingerprint, AttentionEncodeOptions options) = Checkpoint();
        yield return new("checkpoint", checkpoint, (m, seed) => m.Mutate(seed), bytes => ResumeCheckpoint(bytes, fingerprint, options), [typeof(InvalidDataException)]);
        yield return new("word-vectors", "the 0.1 0.2 0.3 0.4\ncat -1 2.5e-3 0 1\ndog 1 1 1 1\n"u8.ToArray(),
            (m, seed) => m.Mutate(seed), WordVectors, [typeof(InvalidDataException)]);
    }

    private static IDataView Texts() => Ml.Data.LoadFromEnumerable(LateWordTask.Generate(30, seed: 9));

    /// <summary>MapValueToKey → AttentionEncode (with weights and words) → SDCA → MapKeyToValue, saved with its schema.</summary>
    private static byte[] SavedModelZip()
    {
        var pipeline = Ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(Ml.Transforms.AttentionEncode(new AttentionEncodeOptions
            {
                ModelDimension = 8, Heads = 2, Layers = 1, FeedForwardDimension = 8, Epochs = 1, MaximumLength = 24, Seed = 1,
                AttentionWeightsColumnName = "Weights", TokensColumnName = "Words", VocabularySize = 30,
            }))
            .Append(Ml.MulticlassClassification.Trainers.SdcaMaximumEntropy("Label", "Embedding", maximumNumberOfIterations: 3))
            .Append(Ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
        IDataView data = Texts();
        using var stream = new MemoryStream();
        Ml.Model.SaveWithAttention(pipeline.Fit(data), data.Schema, stream);
        return stream.ToArray();
    }

    private static void ScoreModel(byte[] bytes)
    {
        ITransformer model = Ml.Model.LoadWithAttention(new MemoryStream(bytes, writable: false), out _);
        IDataView scored = model.Transform(Ml.Data.TakeRows(Texts(), 3));
        using DataViewRowCursor cursor = scored.GetRowCursor(scored.Schema);
        Delegate[] getters = [.. scored.Schema.Where(c => !c.IsHidden).Select(c => Getter(cursor, c))];
        while (cursor.MoveNext())
        {
            foreach (Delegate g in getters)
            {
                g.DynamicInvoke();
            }
        }
    }

    private static Delegate Getter(DataViewRowCursor cursor, DataViewSchema.Column column)
    {
        if (column.Type is VectorDataViewType { ItemType: TextDataViewType })
        {
            ValueGetter<VBuffer<ReadOnlyMemory<char>>> g = cursor.GetGetter<VBuffer<ReadOnlyMemory<char>>>(column);
            return () => { VBuffer<ReadOnlyMemory<char>> v = default; g(ref v); };
        }

        if (column.Type is VectorDataViewType)
        {
            ValueGetter<VBuffer<float>> g = cursor.GetGetter<VBuffer<float>>(column);
            return () => { VBuffer<float> v = default; g(ref v); };
        }

        if (column.Type is TextDataViewType)
        {
            ValueGetter<ReadOnlyMemory<char>> g = cursor.GetGetter<ReadOnlyMemory<char>>(column);
            return () => { ReadOnlyMemory<char> v = default; g(ref v); };
        }

        return () => { };
    }

    /// <summary>One entry of the zip mutated (or its manifest), the manifest's checksum of it redone.</summary>
    private static byte[] MutateEntry(FileMutator mutator, byte[] seed, bool manifest)
    {
        string[] names = ModelZip.EntryNames(seed);
        string[] others = [.. names.Where(n => n != AttentionModelFormat.ManifestEntry)];
        string chosen = manifest ? AttentionModelFormat.ManifestEntry : others[mutator.Next(others.Length)];
        return ModelZip.Rewrite(seed, (name, data) => name == chosen ? mutator.Mutate(data) : data, manifest ? [] : [chosen]);
    }

    private static (byte[] Bytes, string Fingerprint, AttentionEncodeOptions Options) Checkpoint()
    {
        string dir = Directory.CreateTempSubdirectory("fuzz-checkpoint-").FullName;
        try
        {
            var options = new AttentionEncodeOptions
            {
                ModelDimension = 8, Heads = 2, Layers = 1, FeedForwardDimension = 8, Epochs = 1, MaximumLength = 24, Seed = 1, CheckpointDirectory = dir,
            };
            IDataView data = Texts();
            Ml.Transforms.AttentionEncode(options).Fit(Ml.Transforms.Conversion.MapValueToKey("Label").Fit(data).Transform(data));
            string path = Path.Combine(dir, AttentionEncoderTrainer.CheckpointFileName);
            SafeTensors.Load(path, out Dictionary<string, string> metadata);
            options.CheckpointDirectory = null;
            return (File.ReadAllBytes(path), metadata["fingerprint"], options);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static void ResumeCheckpoint(byte[] bytes, string fingerprint, AttentionEncodeOptions options)
    {
        string path = Path.Combine(Path.GetTempPath(), $"fuzz-{Environment.CurrentManagedThreadId}-{Guid.NewGuid():N}.checkpoint");
        File.WriteAllBytes(path, bytes);
        try
        {
            TrainingCheckpoint? checkpoint = TrainingCheckpoint.Load(path, fingerprint);
            var generator = new StatefulRandom(1);
            int vocabulary = (int)(checkpoint?.Model.GetValueOrDefault("embedding.weight")?.Shape[0] ?? 30);
            var model = new AttentionEncoderModel(options, Math.Max(3, vocabulary), 4, generator);
            var optimizer = new AdamW(model.Parameters(), 1e-3f);
            checkpoint?.Restore(path, model, optimizer, new EarlyStopping(model, 3), generator);
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static void WordVectors(byte[] bytes)
    {
        string path = Path.Combine(Path.GetTempPath(), $"fuzz-{Guid.NewGuid():N}.txt");
        File.WriteAllBytes(path, bytes);
        try
        {
            EmbeddingFile.Read(path, new Vocabulary(["<pad>", "<unk>", "the", "cat", "dog"]), 4);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
