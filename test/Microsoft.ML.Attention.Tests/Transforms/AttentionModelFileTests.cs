using Microsoft.ML.Attention.Models;
using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.ML.Attention.Tests.Support;
using Microsoft.ML.Attention.Transforms;
using Microsoft.ML.Data;
using Microsoft.ML.Transforms;

namespace Microsoft.ML.Attention.Tests.Transforms;

/// <summary><c>mlContext.Model.SaveWithAttention</c> / <c>LoadWithAttention</c>: round trips, structure, damaged and newer files, atomic writes.</summary>
[TestClass]
public sealed class AttentionModelFileTests
{
    private static readonly AttentionEncodeOptions Small = new()
    {
        ModelDimension = 16, Heads = 2, Layers = 1, FeedForwardDimension = 32, Epochs = 2, MaximumLength = 24, Seed = 2,
        AttentionWeightsColumnName = "Weights", TokensColumnName = "Tokens",
    };

    private static string TempPath() => Path.Combine(Path.GetTempPath(), $"attention-model-{Guid.NewGuid():N}.zip");

    /// <summary>A fitted pipeline as a user builds it: keys, AttentionEncode, a standard trainer, keys back to values.</summary>
    private static (ITransformer Model, IDataView Data) FitPipeline(MLContext ml)
    {
        IDataView data = ml.Data.LoadFromEnumerable(LateWordTask.Generate(240, seed: 4));
        var pipeline = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.Transforms.AttentionEncode(Small.With("Embedding", "Text", "Label")))
            .Append(ml.MulticlassClassification.Trainers.LbfgsMaximumEntropy("Label", "Embedding"))
            .Append(ml.Transforms.Conversion.MapKeyToValue("PredictedLabel"));
        return (pipeline.Fit(data), data);
    }

    [TestMethod]
    public void SaveThenLoadInAFreshContext_GivesIdenticalOutputs()
    {
        var (model, data) = FitPipeline(new MLContext(seed: 1));
        string path = TempPath();
        try
        {
            new MLContext(seed: 1).Model.SaveWithAttention(model, data.Schema, path);

            var fresh = new MLContext(seed: 99);
            ITransformer loaded = fresh.Model.LoadWithAttention(path, out DataViewSchema? schema);
            Assert.IsNotNull(schema);
            CollectionAssert.AreEqual(data.Schema.Select(c => $"{c.Name}:{c.Type}").ToArray(), schema.Select(c => $"{c.Name}:{c.Type}").ToArray());
            var chain = (TransformerChain<ITransformer>)loaded;
            Assert.AreEqual(4, chain.Count());
            var encoder = (AttentionEncodeTransformer)chain.ElementAt(1);
            var original = (AttentionEncodeTransformer)((IEnumerable<ITransformer>)model).ElementAt(1);
            CollectionAssert.AreEqual(original.VocabularyWords!.ToArray(), encoder.VocabularyWords!.ToArray());

            IDataView before = model.Transform(data), after = loaded.Transform(fresh.Data.LoadFromEnumerable(LateWordTask.Generate(240, seed: 4)));
            Assert.AreEqual(before.Schema.Count, after.Schema.Count);
            foreach (string column in new[] { "Embedding", "Weights", "Score" })
            {
                float[][] a = [.. before.GetColumn<float[]>(column)], b = [.. after.GetColumn<float[]>(column)];
                Assert.AreEqual(a.Length, b.Length);
                for (int i = 0; i < a.Length; i++)
                {
                    CollectionAssert.AreEqual(a[i], b[i], $"{column}, row {i}: bit-identical after the round trip");
                }
            }

            CollectionAssert.AreEqual(before.GetColumn<string>("PredictedLabel").ToArray(), after.GetColumn<string>("PredictedLabel").ToArray());
            var engine = fresh.Model.CreatePredictionEngine<LateWordTask, Scored>(loaded);
            LateWordTask first = LateWordTask.Generate(1, seed: 4)[0];
            // Transform scores blocks of rows (padded to a block's longest); the engine scores its one row: equal up to float rounding.
            Check.Close(before.GetColumn<float[]>("Score").First(), engine.Predict(first).Score, "PredictionEngine on the loaded model", rtol: 1e-5f, atol: 1e-6f);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void NestedChains_Scopes_VectorInput_AndPlainMLNetParts_RoundTrip()
    {
        var ml = new MLContext(seed: 1);
        var rows = Enumerable.Range(0, 80).Select(i => new VectorRow { Label = i % 2 == 0, Steps = [.. Enumerable.Range(0, 12).Select(j => (float)Math.Cos(i + j) + (i % 2 == 0 && j >= 9 ? 1.5f : 0f))] }).ToList();
        IDataView data = ml.Data.LoadFromEnumerable(rows);
        var options = new AttentionEncodeOptions { StepSize = 3, ModelDimension = 8, Heads = 2, Layers = 1, FeedForwardDimension = 16, Epochs = 1, MaximumLength = 4, Seed = 1 };
        ITransformer copy = ml.Transforms.CopyColumns("Steps2", "Steps").Fit(data);
        ITransformer encode = ml.Transforms.AttentionEncode(options.With("E", "Steps2", "Label")).Fit(copy.Transform(data));
        var inner = new TransformerChain<ITransformer>(copy);
        var model = new TransformerChain<ITransformer>([inner, encode], [TransformerScope.Everything, TransformerScope.Scoring]);
        string path = TempPath();
        try
        {
            ml.Model.SaveWithAttention(model, inputSchema: null, path);
            var loaded = (TransformerChain<ITransformer>)new MLContext(5).Model.LoadWithAttention(path, out DataViewSchema? schema);
            Assert.IsNull(schema);
            Assert.IsInstanceOfType<TransformerChain<ITransformer>>(loaded.First(), "the inner chain stays a chain");
            Assert.IsInstanceOfType<AttentionEncodeTransformer>(loaded.Last());
            Assert.IsNull(((AttentionEncodeTransformer)loaded.Last()).VocabularyWords);
            Assert.AreEqual(1, loaded.GetModelFor(TransformerScope.Training).Count(), "the scoring-only part keeps its scope");
            Assert.AreEqual(2, loaded.GetModelFor(TransformerScope.Scoring).Count());
            float[][] a = [.. model.Transform(data).GetColumn<float[]>("E")], b = [.. loaded.Transform(data).GetColumn<float[]>("E")];
            for (int i = 0; i < a.Length; i++)
            {
                CollectionAssert.AreEqual(a[i], b[i]);
            }

            // A model with no pack transformer works too, and a lone transformer comes back as itself.
            ml.Model.SaveWithAttention(copy, data.Schema, path);
            Assert.IsInstanceOfType<ColumnCopyingTransformer>(ml.Model.LoadWithAttention(path, out _));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void DamagedFiles_AreRefusedWithTheFileNamed_NeverLoadedAsGarbage()
    {
        var (model, data) = FitPipeline(new MLContext(seed: 1));
        var ml = new MLContext(seed: 1);
        string path = TempPath();
        try
        {
            ml.Model.SaveWithAttention(model, data.Schema, path);
            byte[] good = File.ReadAllBytes(path);
            float[] expected = model.Transform(data).GetColumn<float[]>("Score").First();

            // Truncated at several points, and one byte flipped at many points: a clear error naming the file,
            // or (a byte no reader uses, such as a timestamp) a model that gives exactly the same scores.
            int refused = 0, harmless = 0;
            foreach (int cut in Enumerable.Range(1, 8).Select(i => good.Length * i / 9))
            {
                File.WriteAllBytes(path, good[..cut]);
                var e = Assert.ThrowsExactly<InvalidDataException>(() => ml.Model.LoadWithAttention(path, out _), $"truncated at {cut}");
                StringAssert.Contains(e.Message, path);
            }

            foreach (int at in Enumerable.Range(1, 300).Select(i => (int)((long)good.Length * i / 301)))
            {
                byte[] bad = (byte[])good.Clone();
                bad[at] ^= 0x5A;
                File.WriteAllBytes(path, bad);
                try
                {
                    ITransformer loaded = ml.Model.LoadWithAttention(path, out _);
                    CollectionAssert.AreEqual(expected, loaded.Transform(data).GetColumn<float[]>("Score").First(), $"byte {at} flipped: loaded, so it must score the same");
                    harmless++;
                }
                catch (InvalidDataException e)
                {
                    StringAssert.Contains(e.Message, path);
                    refused++;
                }
            }

            Console.WriteLine($"{refused} flips refused, {harmless} harmless");
            Assert.IsGreaterThan(250, refused, $"{refused} flips refused, {harmless} harmless");

            // Weights replaced by other valid weights of the same shape: the checksum catches it.
            using (var zip = new ZipArchive(new MemoryStream(good), ZipArchiveMode.Read))
            {
                ZipArchiveEntry weights = zip.Entries.Single(e => e.FullName.EndsWith("weights.safetensors", StringComparison.Ordinal));
                byte[] bytes;
                using (var s = weights.Open())
                using (var ms = new MemoryStream())
                {
                    s.CopyTo(ms);
                    bytes = ms.ToArray();
                }

                bytes[^1] ^= 0x01; // the last weight's lowest mantissa bit
                Rewrite(path, good, weights.FullName, bytes);
            }

            var checksum = Assert.ThrowsExactly<InvalidDataException>(() => ml.Model.LoadWithAttention(path, out _));
            StringAssert.Contains(checksum.Message, "weights.safetensors' does not match its checksum");

            File.WriteAllText(path, "not a model");
            StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => ml.Model.LoadWithAttention(path, out _)).Message, "not a readable zip archive");

            ml.Model.Save(ml.Transforms.CopyColumns("T2", "Text").Fit(data), data.Schema, path);
            StringAssert.Contains(Assert.ThrowsExactly<InvalidDataException>(() => ml.Model.LoadWithAttention(path, out _)).Message, "which mlContext.Model.Load reads");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void AFileFromANewerFormatVersion_IsRefused()
    {
        var (model, data) = FitPipeline(new MLContext(seed: 1));
        var ml = new MLContext(seed: 1);
        string path = TempPath();
        try
        {
            ml.Model.SaveWithAttention(model, data.Schema, path);
            byte[] good = File.ReadAllBytes(path);
            JsonObject manifest;
            using (var zip = new ZipArchive(new MemoryStream(good), ZipArchiveMode.Read))
            using (var s = zip.GetEntry("manifest.json")!.Open())
            {
                manifest = JsonNode.Parse(s)!.AsObject();
            }

            Assert.AreEqual(1, (int)manifest["version"]!);
            manifest["version"] = 2;
            Rewrite(path, good, "manifest.json", Encoding.UTF8.GetBytes(manifest.ToJsonString()));
            var e = Assert.ThrowsExactly<NotSupportedException>(() => ml.Model.LoadWithAttention(path, out _));
            StringAssert.Contains(e.Message, "format version 2, written by a newer Microsoft.ML.Attention; this build reads up to version 1");

            // Versions start at 1: a file claiming version 0 (or less) was never written by the pack.
            foreach (int version in new[] { 0, -1 })
            {
                manifest["version"] = version;
                Rewrite(path, good, "manifest.json", Encoding.UTF8.GetBytes(manifest.ToJsonString()));
                var old = Assert.ThrowsExactly<InvalidDataException>(() => ml.Model.LoadWithAttention(path, out _), $"version {version}");
                StringAssert.Contains(old.Message, "has no valid format version");
                StringAssert.Contains(old.Message, path);
            }
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void AFailedSave_LeavesTheOldFileIntact_AndNoTemporaryFiles()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(new[] { new VectorRow { Label = true, Steps = new float[12] } });
        var model = new TransformerChain<ITransformer>(ml.Transforms.CopyColumns("S2", "Steps").Fit(data), new UnsaveableTransformer());
        string directory = Path.Combine(Path.GetTempPath(), $"attention-save-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, "model.zip");
        try
        {
            File.WriteAllText(path, "old model");
            var e = Assert.ThrowsExactly<InvalidOperationException>(() => ml.Model.SaveWithAttention(model, data.Schema, path));
            StringAssert.Contains(e.Message, "model[1] (UnsaveableTransformer) cannot be saved by ML.NET's Model.Save");
            Assert.AreEqual("old model", File.ReadAllText(path));
            CollectionAssert.AreEqual(new[] { path }, Directory.GetFiles(directory));
            Assert.ThrowsExactly<DirectoryNotFoundException>(() => ml.Model.SaveWithAttention(model, data.Schema, Path.Combine(directory, "missing", "m.zip")));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>Writes <paramref name="good"/> to <paramref name="path"/> with one entry's content replaced.</summary>
    private static void Rewrite(string path, byte[] good, string entryName, byte[] content)
    {
        using var source = new ZipArchive(new MemoryStream(good), ZipArchiveMode.Read);
        using var target = new ZipArchive(File.Create(path), ZipArchiveMode.Create);
        foreach (ZipArchiveEntry entry in source.Entries)
        {
            using Stream output = target.CreateEntry(entry.FullName).Open();
            if (entry.FullName == entryName)
            {
                output.Write(content);
            }
            else
            {
                using Stream input = entry.Open();
                input.CopyTo(output);
            }
        }
    }

    private sealed class VectorRow
    {
        public bool Label { get; set; }

        [VectorType(12)]
        public float[] Steps { get; set; } = [];
    }

    private sealed class Scored
    {
        public float[] Score { get; set; } = [];
    }
}
