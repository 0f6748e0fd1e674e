using Microsoft.ML.Attention.Autograd;
using Microsoft.ML.Attention.Models;
using Microsoft.ML.Attention.Onnx;
using Microsoft.ML.Attention.Serialization;
using Microsoft.ML.Attention.Tests.Transforms;
using Microsoft.ML.Attention.Transforms;
using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.Tests.Reliability;

/// <summary>
/// The catalogue of bad inputs through the public API — options, schemas, values, files and paths, exports — each with
/// the exception and the words it must name. <see cref="BadInputCatalogueTests"/> runs every case; the README states
/// the count.
/// </summary>
internal static class BadInputCatalogue
{
    private static readonly MLContext Ml = new(seed: 1);

    internal static IEnumerable<BadInputCase> All()
    {
        foreach (BadInputCase c in Options().Concat(Schemas()).Concat(Values()).Concat(Files()).Concat(Exports()))
        {
            yield return c;
        }
    }

    private static IEnumerable<BadInputCase> Options()
    {
        BadInputCase Encode(string name, Action<AttentionEncodeOptions> set, params string[] holds) =>
            new("options", "AttentionEncode " + name, () => { var o = new AttentionEncodeOptions(); set(o); Ml.Transforms.AttentionEncode(o); }, typeof(ArgumentOutOfRangeException), holds);
        yield return Encode("heads not dividing the width", o => o.Heads = 5, "Heads (5)", "ModelDimension (64)");
        yield return Encode("no layers", o => o.Layers = 0, "Layers (0)");
        yield return Encode("dropout of 1", o => o.Dropout = 1f, "Dropout (1)", "[0, 1)");
        yield return Encode("no epochs", o => o.Epochs = 0, "Epochs (0)");
        yield return Encode("NaN learning rate", o => o.LearningRate = float.NaN, "LearningRate (NaN)");
        yield return Encode("negative weight decay", o => o.WeightDecay = -1f, "WeightDecay (-1)");
        yield return Encode("validation fraction 1", o => o.ValidationFraction = 1f, "ValidationFraction (1)");
        yield return Encode("vocabulary of 2", o => o.VocabularySize = 2, "VocabularySize (2)", "padding and unknown");
        yield return Encode("negative step size", o => o.StepSize = -1, "StepSize (-1)");
        yield return Encode("words column for vector input", o => { o.StepSize = 4; o.TokensColumnName = "Words"; }, "TokensColumnName", "text input only");
        yield return Encode("two outputs of one name", o => o.AttentionWeightsColumnName = "Embedding", "'Embedding'", "different names");
        yield return Encode("an empty input column name", o => o.InputColumnName = " ", "InputColumnName");
        yield return Encode("a checkpoint folder that does not exist", o => o.CheckpointDirectory = "/no/such/folder", "/no/such/folder", "does not exist");
        yield return Encode("resume without a checkpoint folder", o => o.ResumeFromCheckpoint = true, "ResumeFromCheckpoint", "CheckpointDirectory");
        yield return Encode("scoring batch of 0", o => o.ScoringBatchSize = 0, "ScoringBatchSize (0)");
        yield return new("options", "HierarchicalAttention maximum words 0",
            () => Ml.MulticlassClassification.Trainers.HierarchicalAttention(new HierarchicalAttentionOptions { MaximumWords = 0 }), typeof(ArgumentOutOfRangeException), "MaximumWords (0)");
        yield return new("options", "HierarchicalAttention weight-average decay 1",
            () => Ml.MulticlassClassification.Trainers.HierarchicalAttention(new HierarchicalAttentionOptions { WeightAverageDecay = 1f }), typeof(ArgumentOutOfRangeException), "WeightAverageDecay (1)");
        yield return new("options", "ImageAttention nine stages",
            () => Ml.MulticlassClassification.Trainers.ImageAttention(new ImageAttentionOptions { StageChannels = [8, 8, 8, 8, 8, 8, 8, 8, 8] }), typeof(ArgumentOutOfRangeException), "StageChannels");
        yield return new("options", "ImageAttention a zero training-time budget",
            () => Ml.MulticlassClassification.Trainers.ImageAttention(new ImageAttentionOptions { MaximumTrainingTime = TimeSpan.Zero }), typeof(ArgumentOutOfRangeException), "MaximumTrainingTime");
        yield return new("options", "ImageAttention a checkpoint folder that does not exist",
            () => Ml.MulticlassClassification.Trainers.ImageAttention(new ImageAttentionOptions { CheckpointDirectory = "/no/such/folder" }), typeof(ArgumentOutOfRangeException), "/no/such/folder", "does not exist");
        yield return new("options", "ImageAttention resume without a checkpoint folder",
            () => Ml.MulticlassClassification.Trainers.ImageAttention(new ImageAttentionOptions { ResumeFromCheckpoint = true }), typeof(ArgumentOutOfRangeException), "ResumeFromCheckpoint", "CheckpointDirectory");
        yield return new("options", "SequenceToSequence beam width 0",
            () => Ml.Transforms.SequenceToSequence(new SequenceToSequenceOptions { BeamWidth = 0 }), typeof(ArgumentOutOfRangeException), "BeamWidth (0)");
        yield return new("options", "SequenceToSequence infinite length penalty",
            () => Ml.Transforms.SequenceToSequence(new SequenceToSequenceOptions { LengthPenalty = float.PositiveInfinity }), typeof(ArgumentOutOfRangeException), "LengthPenalty");
        yield return new("options", "TimeStepAttention step size 0",
            () => Ml.MulticlassClassification.Trainers.TimeStepAttention(new TimeStepAttentionOptions { StepSize = 0 }), typeof(ArgumentOutOfRangeException), "StepSize (0)");
        yield return new("options", "scoring batch of 0 on a fitted transformer",
            () => Encoder().WithScoringBatchSize(0), typeof(ArgumentOutOfRangeException), "rows");
    }

    private static IEnumerable<BadInputCase> Schemas()
    {
        IDataView texts = Ml.Data.LoadFromEnumerable(LateWordTask.Generate(20, seed: 1));
        IDataView numbers = Ml.Data.LoadFromEnumerable(new[] { new NumberRow { Text = 1f, Label = "a" }, new NumberRow { Text = 2f, Label = "b" } });
        IDataView keyed = Ml.Transforms.Conversion.MapValueToKey("Label").Fit(texts).Transform(texts);
        yield return new("schemas", "AttentionEncode input column missing",
            () => Ml.Transforms.AttentionEncode("Embedding", "Review").Fit(keyed), typeof(ArgumentException), "'Review'");
        yield return new("schemas", "AttentionEncode text column of numbers",
            () => Ml.Transforms.AttentionEncode("Embedding", "Text").Fit(Ml.Transforms.Conversion.MapValueToKey("Label").Fit(numbers).Transform(numbers)), typeof(ArgumentException), "'Text'");
        yield return new("schemas", "AttentionEncode label column missing",
            () => Ml.Transforms.AttentionEncode("Embedding", "Text", labelColumnName: "Target").Fit(keyed), typeof(ArgumentException), "'Target'");
        yield return new("schemas", "AttentionEncode label of text, not key",
            () => Ml.Transforms.AttentionEncode("Embedding", "Text").Fit(texts), typeof(ArgumentException), "'Label'");
        yield return new("schemas", "fitted AttentionEncode scored without its input column",
            () => Encoder().Transform(numbers.Schema.GetColumnOrNull("Text") is null ? numbers : Ml.Transforms.DropColumns("Text").Fit(numbers).Transform(numbers)), typeof(ArgumentException), "'Text'");
        yield return new("schemas", "fitted AttentionEncode scored on a number column",
            () => Encoder().GetOutputSchema(numbers.Schema), typeof(ArgumentException), "'Text'", "expected String");
        yield return new("schemas", "vector AttentionEncode on a variable-size vector",
            () => Ml.Transforms.AttentionEncode(new AttentionEncodeOptions { InputColumnName = "Features", StepSize = 2 }).Fit(VariableVectors()), typeof(ArgumentException), "'Features'", "variable size");
        yield return new("schemas", "vector AttentionEncode on a vector that is not whole steps",
            () => Ml.Transforms.AttentionEncode(new AttentionEncodeOptions { InputColumnName = "Features", StepSize = 4 }).Fit(FixedVectors(6)), typeof(ArgumentException), "6 values", "StepSize = 4");
        yield return new("schemas", "HierarchicalAttention text column missing",
            () => Ml.MulticlassClassification.Trainers.HierarchicalAttention(new HierarchicalAttentionOptions { TextColumnName = "Document" }).Fit(keyed), typeof(ArgumentException), "'Document'");
        yield return new("schemas", "ImageAttention pixels without image dimensions",
            () => Ml.MulticlassClassification.Trainers.ImageAttention(new ImageAttentionOptions { FeatureColumnName = "Features" }).Fit(KeyedVectors(FixedVectors(12))), typeof(ArgumentException), "'Features'", "without image dimensions");
        yield return new("schemas", "ImageAttention pixel column missing",
            () => Ml.MulticlassClassification.Trainers.ImageAttention(new ImageAttentionOptions { FeatureColumnName = "Pixels" }).Fit(KeyedVectors(FixedVectors(12))), typeof(ArgumentException), "'Pixels'", "not found");
        yield return new("schemas", "label key of one class",
            () => Ml.Transforms.AttentionEncode("Embedding", "Text").Fit(OneClass()), typeof(ArgumentException), "'Label'");
    }

    private static IEnumerable<BadInputCase> Values()
    {
        yield return new("values", "a text with no words",
            () => Scan(Encoder().Transform(Ml.Data.LoadFromEnumerable(new[] { new LateWordTask { Text = "!!! ...", Label = "red" } }))), typeof(InvalidOperationException), "row 0", "no words");
        yield return new("values", "a text longer than MaximumLength",
            () => Scan(Encoder().Transform(Ml.Data.LoadFromEnumerable(new[] { new LateWordTask { Text = string.Join(' ', Enumerable.Repeat("cat", 40)), Label = "red" } }))), typeof(InvalidOperationException), "40 words", "MaximumLength = 24");
        yield return new("values", "a NaN step value",
            () => Scan(VectorEncoder().Transform(FixedVectors(8, nanAt: 3))), typeof(InvalidOperationException), "slot 3", "finite");
        yield return new("values", "an infinite step value at training",
            () => Ml.Transforms.AttentionEncode(new AttentionEncodeOptions { InputColumnName = "Features", StepSize = 4, LabelColumnName = "Flag", Epochs = 1 }).Fit(FixedVectors(8, nanAt: 5, value: float.PositiveInfinity)), typeof(InvalidOperationException), "slot 5");
        yield return new("values", "training data with no rows",
            () => Ml.Transforms.AttentionEncode("Embedding", "Text").Fit(Ml.Transforms.Conversion.MapValueToKey("Label").Fit(Ml.Data.LoadFromEnumerable(LateWordTask.Generate(4, 1))).Transform(Ml.Data.LoadFromEnumerable(new List<LateWordTask>()))), typeof(InvalidOperationException), "no rows");
        yield return new("values", "an embedding id out of range",
            () => new Nn.Embedding(10, 4).Forward([1, 2, 10]), typeof(IndexOutOfRangeException), "index 10", "0 to 9");
        yield return new("values", "matrix shapes that do not multiply",
            () => Tensors.Tensor.Zeros(2, 3).MatMul(Tensors.Tensor.Zeros(4, 5)), typeof(ArgumentException), "[2, 3]", "[4, 5]");
    }

    private static IEnumerable<BadInputCase> Files()
    {
        string folder = Path.Combine(Path.GetTempPath(), "bad-input-catalogue");
        Directory.CreateDirectory(folder);
        string Write(string name, byte[] bytes)
        {
            string path = Path.Combine(folder, name);
            File.WriteAllBytes(path, bytes);
            return path;
        }

        yield return new("files", "LoadWithAttention of a file that does not exist",
            () => Ml.Model.LoadWithAttention(Path.Combine(folder, "missing.zip"), out _), typeof(FileNotFoundException), "missing.zip");
        yield return new("files", "LoadWithAttention of a text file",
            () => Ml.Model.LoadWithAttention(Write("text.zip", "not a zip"u8.ToArray()), out _), typeof(InvalidDataException), "text.zip");
        yield return new("files", "LoadWithAttention of an empty file",
            () => Ml.Model.LoadWithAttention(Write("empty.zip", []), out _), typeof(InvalidDataException), "empty.zip");
        yield return new("files", "LoadWithAttention of a truncated model",
            () => Ml.Model.LoadWithAttention(Write("truncated.zip", SavedModel()[..^200]), out _), typeof(InvalidDataException), "truncated.zip");
        yield return new("files", "LoadWithAttention of a model with one byte changed",
            () => Ml.Model.LoadWithAttention(Write("flipped.zip", Flip(SavedModel())), out _), typeof(InvalidDataException), "flipped.zip");
        yield return new("files", "SaveWithAttention into a folder that does not exist",
            () => Ml.Model.SaveWithAttention(Encoder(), null, Path.Combine(folder, "no-such-folder", "model.zip")), typeof(DirectoryNotFoundException), "no-such-folder");
        yield return new("files", "SaveWithAttention into a read-only stream",
            () => Ml.Model.SaveWithAttention(Encoder(), null, new MemoryStream([], writable: false)), typeof(ArgumentException), "writable");
        yield return new("files", "ML.NET's Model.Save of a pack transformer",
            () => Ml.Model.Save(Encoder(), null, new MemoryStream()), typeof(NotSupportedException), "SaveWithAttention");
        yield return new("files", "safetensors file truncated",
            () => SafeTensors.Load(Write("weights.safetensors", [1, 0, 0, 0])), typeof(InvalidDataException), "weights.safetensors");
        yield return new("files", "safetensors header longer than the file",
            () => SafeTensors.Load(Write("header.safetensors", [255, 255, 0, 0, 0, 0, 0, 0, (byte)'{', (byte)'}'])), typeof(InvalidDataException), "header.safetensors", "header");
        yield return new("files", "a damaged training checkpoint",
            () => Ml.Transforms.AttentionEncode(new AttentionEncodeOptions { CheckpointDirectory = CheckpointFolder(folder), ResumeFromCheckpoint = true, Epochs = 1 }).Fit(Keyed()), typeof(InvalidDataException), AttentionEncoderTrainer.CheckpointFileName);
        // Found by the fuzzing harness (FuzzTests), fixed, and kept here.
        yield return new("files", "a model whose saved input schema is damaged (checksum redone)",
            () => Ml.Model.LoadWithAttention(Write("schema.zip", Rewrite(SavedModel(), "input-schema.zip", _ => "garbage"u8.ToArray())), out _), typeof(InvalidDataException), "schema.zip", "input schema");
        yield return new("files", "a model whose manifest lost a part of its chain",
            () => Ml.Model.LoadWithAttention(Write("dropped.zip", DropPart(SavedPipeline(), 2)), out _), typeof(InvalidDataException), "dropped.zip", "do not fit");
        yield return new("files", "a zip entry claiming 2 GB from a few compressed bytes",
            () => Ml.Model.LoadWithAttention(Write("bomb.zip", ClaimHugeEntry(SavedModel())), out _), typeof(InvalidDataException), "bomb.zip", "claims");
        yield return new("files", "an ML.NET part whose inner entry is damaged (the fuzzer's file that made ML.NET's Model.Load loop)",
            () => Ml.Model.LoadWithAttention(Path.Combine(AppContext.BaseDirectory, "Fixtures", "fuzz", "nested-part-damaged.zip"), out _), typeof(InvalidDataException), "parts/2.zip", "zip checksum");
        yield return new("files", "safetensors naming a tensor twice",
            () => SafeTensors.Load(Write("twice.safetensors", TwiceNamed())), typeof(InvalidDataException), "twice.safetensors", "twice");
        yield return new("files", "pretrained embeddings file that does not exist",
            () => Ml.MulticlassClassification.Trainers.HierarchicalAttention(new HierarchicalAttentionOptions { PretrainedEmbeddingsPath = Path.Combine(folder, "glove.txt"), Epochs = 1 }).Fit(Keyed()), typeof(FileNotFoundException), "glove.txt");
    }

    private static IEnumerable<BadInputCase> Exports()
    {
        yield return new("exports", "ExportToOnnx into a read-only stream",
            () => Encoder().ExportToOnnx(new MemoryStream([], writable: false), Keyed().Schema), typeof(ArgumentException), "not writable");
        yield return new("exports", "ExportToOnnx for a schema without the input column",
            () => Encoder().ExportToOnnx(new MemoryStream(), FixedVectors(4).Schema), typeof(ArgumentException), "'Text'");
        yield return new("exports", "ToOnnxChain of a model whose network has no export",
            () => Ml.ToOnnxChain(Ml.MulticlassClassification.Trainers.HierarchicalAttention(new HierarchicalAttentionOptions { Epochs = 1, MinimumWordCount = 1, EmbeddingDimension = 4, HiddenSize = 4, AttentionDimension = 4 }).Fit(Keyed()), Keyed().Schema),
            typeof(NotSupportedException), "HierarchicalAttentionTransformer");
        yield return new("exports", "ToOnnxChain for data without the text column",
            () => Ml.ToOnnxChain(Encoder(), FixedVectors(4).Schema), typeof(ArgumentException), "'Text'");
    }

    private static readonly Lazy<AttentionEncodeTransformer> s_encoder = new(() => Ml.Transforms.AttentionEncode(new AttentionEncodeOptions
    {
        ModelDimension = 8, Heads = 2, Layers = 1, FeedForwardDimension = 8, Epochs = 1, MaximumLength = 24, Seed = 1,
    }).Fit(Keyed()));

    private static readonly Lazy<AttentionEncodeTransformer> s_vectorEncoder = new(() => Ml.Transforms.AttentionEncode(new AttentionEncodeOptions
    {
        InputColumnName = "Features", StepSize = 4, LabelColumnName = "Flag", ModelDimension = 8, Heads = 2, Layers = 1, FeedForwardDimension = 8, Epochs = 1, Seed = 1,
    }).Fit(FixedVectors(8)));

    private static AttentionEncodeTransformer Encoder() => s_encoder.Value;

    private static AttentionEncodeTransformer VectorEncoder() => s_vectorEncoder.Value;

    private static IDataView Keyed()
    {
        IDataView texts = Ml.Data.LoadFromEnumerable(LateWordTask.Generate(40, seed: 2));
        return Ml.Transforms.Conversion.MapValueToKey("Label").Fit(texts).Transform(texts);
    }

    private static IDataView OneClass()
    {
        IDataView texts = Ml.Data.LoadFromEnumerable(Enumerable.Range(0, 6).Select(i => new LateWordTask { Text = "the cat sat", Label = "red" }));
        return Ml.Transforms.Conversion.MapValueToKey("Label").Fit(texts).Transform(texts);
    }

    private static byte[] SavedModel()
    {
        using var stream = new MemoryStream();
        Ml.Model.SaveWithAttention(Encoder(), Keyed().Schema, stream);
        return stream.ToArray();
    }

    /// <summary>MapValueToKey → AttentionEncode → SDCA → MapKeyToValue, saved with its schema.</summary>
    private static byte[] SavedPipeline()
    {
        IDataView texts = Ml.Data.LoadFromEnumerable(LateWordTask.Generate(40, seed: 2));
        var chain = Ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(Ml.Transforms.AttentionEncode(new AttentionEncodeOptions { ModelDimension = 8, Heads = 2, Layers = 1, FeedForwardDimension = 8, Epochs = 1, MaximumLength = 24, Seed = 1 }))
            .Append(Ml.MulticlassClassification.Trainers.SdcaMaximumEntropy("Label", "Embedding", maximumNumberOfIterations: 2))
            .Append(Ml.Transforms.Conversion.MapKeyToValue("PredictedLabel")).Fit(texts);
        using var stream = new MemoryStream();
        Ml.Model.SaveWithAttention(chain, texts.Schema, stream);
        return stream.ToArray();
    }

    /// <summary>The zip with one entry changed and the manifest's checksum of it redone.</summary>
    private static byte[] Rewrite(byte[] zip, string entry, Func<byte[], byte[]> change) => ModelZip.Rewrite(zip, (name, data) => name == entry ? change(data) : data, entry);

    /// <summary>The manifest's chain without one part (e.g. the trainer whose PredictedLabel the last part maps back).</summary>
    private static byte[] DropPart(byte[] zip, int part) => ModelZip.Rewrite(zip, (name, data) =>
    {
        if (name != AttentionModelFormat.ManifestEntry)
        {
            return data;
        }

        var root = System.Text.Json.Nodes.JsonNode.Parse(data)!;
        root["model"]!["items"]!.AsArray().RemoveAt(part);
        root["model"]!["scopes"]!.AsArray().RemoveAt(part);
        return System.Text.Encoding.UTF8.GetBytes(root.ToJsonString());
    });

    /// <summary>The manifest entry's uncompressed size in the central directory set to 2 GB − 1.</summary>
    private static byte[] ClaimHugeEntry(byte[] zip)
    {
        byte[] bytes = [.. zip];
        byte[] name = System.Text.Encoding.ASCII.GetBytes(AttentionModelFormat.ManifestEntry);
        for (int i = 0; i + 46 < bytes.Length; i++)
        {
            // Central directory header: signature PK\1\2, uncompressed size at +24, name length at +28, name at +46.
            if (bytes[i] == 0x50 && bytes[i + 1] == 0x4B && bytes[i + 2] == 1 && bytes[i + 3] == 2
                && BitConverter.ToUInt16(bytes, i + 28) == name.Length && bytes.AsSpan(i + 46, name.Length).SequenceEqual(name))
            {
                BitConverter.GetBytes(int.MaxValue).CopyTo(bytes, i + 24);
                return bytes;
            }
        }

        throw new InvalidOperationException("no central directory entry for the manifest");
    }

    private static byte[] TwiceNamed()
    {
        string header = "{\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"w\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}";
        byte[] json = System.Text.Encoding.UTF8.GetBytes(header);
        return [.. BitConverter.GetBytes((ulong)json.Length), .. json, 0, 0, 128, 63];
    }

    private static byte[] Flip(byte[] bytes)
    {
        bytes[bytes.Length / 2] ^= 0x5A;
        return bytes;
    }

    private static string CheckpointFolder(string root)
    {
        string dir = Path.Combine(root, "checkpoint");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, AttentionEncoderTrainer.CheckpointFileName), "{ damaged");
        return dir;
    }

    private static IDataView FixedVectors(int size, int nanAt = -1, float value = float.NaN)
    {
        var definition = SchemaDefinition.Create(typeof(VectorRow));
        definition[nameof(VectorRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, size);
        return Ml.Data.LoadFromEnumerable(Enumerable.Range(0, 8).Select(i => new VectorRow
        {
            Features = [.. Enumerable.Range(0, size).Select(j => i == 0 && j == nanAt ? value : (float)Math.Sin(i + j))],
            Flag = i % 2 == 0,
        }), definition);
    }

    private static IDataView VariableVectors() => Ml.Data.LoadFromEnumerable(Enumerable.Range(0, 4).Select(i => new VectorRow { Features = new float[4 + i], Flag = i % 2 == 0 }));

    private static IDataView KeyedVectors(IDataView data) => Ml.Transforms.Conversion.MapValueToKey("Label", "Flag").Fit(data).Transform(data);

    private static void Scan(IDataView view)
    {
        using DataViewRowCursor cursor = view.GetRowCursor(view.Schema);
        var getters = view.Schema.Where(c => c.Type is VectorDataViewType { ItemType: NumberDataViewType }).Select(c => cursor.GetGetter<VBuffer<float>>(c)).ToArray();
        VBuffer<float> value = default;
        while (cursor.MoveNext())
        {
            foreach (ValueGetter<VBuffer<float>> g in getters)
            {
                g(ref value);
            }
        }
    }

    private sealed class NumberRow
    {
        public float Text { get; set; }

        public string Label { get; set; } = "";
    }

    private sealed class VectorRow
    {
        public float[] Features { get; set; } = [];

        public bool Flag { get; set; }
    }
}
