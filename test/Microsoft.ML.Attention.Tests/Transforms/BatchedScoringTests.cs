using Microsoft.ML.Attention.Models;
using Microsoft.ML.Attention.Tests.Support;
using Microsoft.ML.Attention.Transforms;
using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.Tests.Transforms;

/// <summary>
/// <c>Transform</c> scores blocks of rows (read ahead, grouped by length, one forward pass per group) and serves them in
/// order: the same values as row-by-row scoring up to float rounding, with the input's positions, ids and batches, for
/// plain, shuffled and parallel (cursor set) cursors; bad rows named by their own position; never scored when only
/// input columns are read.
/// </summary>
[TestClass]
public sealed class BatchedScoringTests
{
    private const int Rows = 300;

    private static readonly AttentionEncodeOptions Small = new()
    {
        ModelDimension = 16, Heads = 2, Layers = 1, FeedForwardDimension = 32, Epochs = 1, MaximumLength = 24, Seed = 5,
        AttentionWeightsColumnName = "Weights", TokensColumnName = "Tokens", ScoringBatchSize = 64,
    };

    private static readonly string[] Words = ["red", "green", "blue", "cat", "dog", "sat", "on", "mat", "tree", "river", "ran", "saw", "bird", "sky"];

    /// <summary>Texts of 1 to 24 words, so that a block holds rows of very different lengths; the label is the first colour.</summary>
    private static List<Sentence> Generate(int count, int seed)
    {
        var random = new Random(seed);
        var rows = new List<Sentence>(count);
        for (int i = 0; i < count; i++)
        {
            string[] words = [.. Enumerable.Range(0, random.Next(1, 25)).Select(_ => Words[random.Next(Words.Length)])];
            rows.Add(new Sentence(string.Join(' ', words), words.FirstOrDefault(w => w is "red" or "green" or "blue") ?? "none", i));
        }

        return rows;
    }

    private static (AttentionEncodeTransformer Model, IDataView Data, MLContext Ml) Fit()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(Generate(Rows, seed: 2));
        IDataView keyed = ml.Transforms.Conversion.MapValueToKey("Label").Fit(data).Transform(data);
        return (ml.Transforms.AttentionEncode(Small.With("Embedding", "Text")).Fit(keyed), data, ml);
    }

    [TestMethod]
    public void Transform_ScoresBlocks_AsRowByRowDoes_InOrder_WithTheInputsIdsAndColumns()
    {
        var (model, data, _) = Fit();
        Assert.AreEqual(64, model.ScoringBatchSize);
        AttentionEncodeTransformer rowByRow = model.WithScoringBatchSize(1);
        Scored[] expected = Read(rowByRow.Transform(data)), actual = Read(model.Transform(data));
        Assert.AreEqual(Rows, actual.Length, "every row served once (300 is not a multiple of the block of 64)");
        for (int i = 0; i < Rows; i++)
        {
            Assert.AreEqual(i, actual[i].Position, $"row {i}: position");
            Assert.AreEqual(expected[i].Id, actual[i].Id, $"row {i}: the input's row id");
            Assert.AreEqual(expected[i].Text, actual[i].Text, $"row {i}: the text column passes through");
            Assert.AreEqual(i, actual[i].Index, $"row {i}: the rows keep the input's order");
            CollectionAssert.AreEqual(expected[i].Tokens, actual[i].Tokens, $"row {i}: tokens");
            Check.Close(expected[i].Embedding, actual[i].Embedding, $"row {i}: embedding", rtol: 1e-5f, atol: 1e-6f);
            Check.Close(expected[i].Weights, actual[i].Weights, $"row {i}: weights", rtol: 1e-5f, atol: 1e-6f);
            Assert.AreEqual(actual[i].Tokens.Length, actual[i].Weights.Count(w => w > 0), $"row {i}: one weight per word, 0 on the padding");
        }

        // Row by row is the PredictionEngine's path: bit-identical to a transformer with blocks of 1.
        var engine = new MLContext(1).Model.CreatePredictionEngine<Sentence, EmbeddingOnly>(rowByRow);
        Sentence first = Generate(1, seed: 2)[0];
        CollectionAssert.AreEqual(expected[0].Embedding, engine.Predict(first).Embedding);
    }

    [TestMethod]
    public void ShuffledAndParallelCursors_PairEveryRowWithItsOwnResult()
    {
        var (model, data, ml) = Fit();
        IDataView cached = ml.Data.Cache(data);
        Scored[] expected = Read(model.WithScoringBatchSize(1).Transform(cached));
        IDataView batched = model.Transform(cached);

        Scored[] shuffled = Read(batched, new Random(7));
        CollectionAssert.AreNotEqual(expected.Select(r => r.Index).ToArray(), shuffled.Select(r => r.Index).ToArray(), "the cursor is shuffled");
        CollectionAssert.AreEquivalent(expected.Select(r => r.Index).ToArray(), shuffled.Select(r => r.Index).ToArray(), "every row once");
        foreach (Scored row in shuffled)
        {
            Check.Close(expected[row.Index].Embedding, row.Embedding, $"shuffled, row {row.Index}", rtol: 1e-5f, atol: 1e-6f);
        }

        DataViewRowCursor[] set = batched.GetRowCursorSet(batched.Schema, 2);
        Assert.AreEqual(2, set.Length, "the cache gives two cursors, so the set is scored on two threads");
        var parts = new List<Scored>[set.Length];
        Thread[] threads = [.. set.Select((cursor, c) => new Thread(() => parts[c] = ReadCursor(cursor)))];
        foreach (Thread t in threads)
        {
            t.Start();
        }

        foreach (Thread t in threads)
        {
            t.Join();
        }

        Assert.IsTrue(parts.All(p => p.Count > 0), $"both cursors served rows: {string.Join(", ", parts.Select(p => p.Count))}");

        // ML.NET's contract for a set: rows of one batch come from one cursor in order, so sorting by batch restores the input's order.
        int[] byBatch = [.. parts.SelectMany(p => p.Select((row, order) => (row, order))).OrderBy(r => r.row.Batch).ThenBy(r => r.order).Select(r => r.row.Index)];
        CollectionAssert.AreEqual(Enumerable.Range(0, Rows).ToArray(), byBatch, "each row carries its input batch");
        Scored[] all = [.. parts.SelectMany(p => p)];
        CollectionAssert.AreEquivalent(Enumerable.Range(0, Rows).ToArray(), all.Select(r => r.Index).ToArray(), "the set serves every row once");
        foreach (Scored row in all)
        {
            Assert.AreEqual(expected[row.Index].Id, row.Id, $"set, row {row.Index}: id");
            Check.Close(expected[row.Index].Embedding, row.Embedding, $"set, row {row.Index}", rtol: 1e-5f, atol: 1e-6f);
        }

        // ML.NET's cache fills itself from a cursor set and puts the rows back in order by their batches and ids.
        Scored[] recached = Read(ml.Data.Cache(batched));
        CollectionAssert.AreEqual(Enumerable.Range(0, Rows).ToArray(), recached.Select(r => r.Index).ToArray(), "ML.NET's cache of the batched output keeps the order");
        for (int i = 0; i < Rows; i++)
        {
            Check.Close(expected[i].Embedding, recached[i].Embedding, $"cached, row {i}", rtol: 1e-5f, atol: 1e-6f);
        }
    }

    [TestMethod]
    public void ABadRowInABlock_IsNamedByItsOwnPosition_AndReadingOnlyInputColumnsScoresNothing()
    {
        var (model, _, ml) = Fit();
        List<Sentence> rows = Generate(100, seed: 3);
        rows[70] = rows[70] with { Text = " ... " };
        IDataView output = model.Transform(ml.Data.LoadFromEnumerable(rows));

        // Only input columns read: the blocks are never scored, so the bad row goes unnoticed, as row by row.
        Assert.AreEqual(100, output.GetColumn<int>("Index").Count());

        var e = Assert.ThrowsExactly<InvalidOperationException>(() => output.GetColumn<float[]>("Embedding").ToArray());
        StringAssert.Contains(e.Message, "row 70 of column 'Text' has no words");
    }

    [TestMethod]
    public void ScoringBatchSize_IsChecked_AndKeptBySaveAndLoad()
    {
        var ml = new MLContext(1);
        IDataView data = ml.Data.LoadFromEnumerable(Generate(40, seed: 4));
        var bad = Small.With("Embedding", "Text");
        bad.ScoringBatchSize = 0;
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => ml.Transforms.AttentionEncode(bad));
        StringAssert.Contains(e.Message, "ScoringBatchSize (0) must be positive");

        var (model, _, _) = Fit();
        Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => model.WithScoringBatchSize(0));
        string path = Path.Combine(Path.GetTempPath(), $"batched-{Guid.NewGuid():N}.zip");
        try
        {
            ml.Model.SaveWithAttention(model.WithScoringBatchSize(16), data.Schema, path);
            var loaded = (AttentionEncodeTransformer)ml.Model.LoadWithAttention(path, out _);
            Assert.AreEqual(16, loaded.ScoringBatchSize);
            Assert.AreEqual(64, model.ScoringBatchSize, "WithScoringBatchSize leaves the original as it was");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void HierarchicalAttention_ScoresBlocksOfDocuments_AsOneByOneDoes_EachWithItsOwnWords()
    {
        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromEnumerable(CueSentenceTask.Generate(150, seed: 3));
        IDataView keyed = ml.Transforms.Conversion.MapValueToKey("Label").Fit(data).Transform(data);
        var options = new HierarchicalAttentionOptions
        {
            EmbeddingDimension = 8, HiddenSize = 8, AttentionDimension = 8, Epochs = 1, MinimumWordCount = 1, Seed = 2,
            SentenceAttentionColumnName = "SentenceWeights", WordAttentionColumnName = "WordWeights", WordsColumnName = "Words",
        };
        HierarchicalAttentionTransformer model = ml.MulticlassClassification.Trainers.HierarchicalAttention(options).Fit(keyed);
        Assert.AreEqual(64, model.ScoringBatchSize);
        IDataView batched = model.Transform(keyed), single = model.WithScoringBatchSize(1).Transform(keyed);
        foreach (string column in new[] { "Score", "SentenceWeights", "WordWeights" })
        {
            float[][] a = [.. single.GetColumn<float[]>(column)], b = [.. batched.GetColumn<float[]>(column)];
            Assert.AreEqual(150, b.Length);
            for (int i = 0; i < a.Length; i++)
            {
                Check.Close(a[i], b[i], $"{column}, document {i}", rtol: 1e-5f, atol: 1e-6f);
            }
        }

        CollectionAssert.AreEqual(single.GetColumn<uint>("PredictedLabel").ToArray(), batched.GetColumn<uint>("PredictedLabel").ToArray());
        string[] words = [.. batched.GetColumn<string[]>("Words").Select(w => string.Join(' ', w))];
        string[] texts = [.. batched.GetColumn<string>("Text")];
        for (int i = 0; i < texts.Length; i++)
        {
            Assert.AreEqual(string.Join(' ', DocumentTokenizer.Split(texts[i]).SelectMany(x => x)), words[i], $"document {i}: its own words");
        }
    }

    private static Scored[] Read(IDataView view, Random? random = null) =>
        [.. ReadCursor(view.GetRowCursor(view.Schema, random))];

    private static List<Scored> ReadCursor(DataViewRowCursor cursor)
    {
        using (cursor)
        {
            DataViewSchema s = cursor.Schema;
            ValueGetter<ReadOnlyMemory<char>> text = cursor.GetGetter<ReadOnlyMemory<char>>(s["Text"]);
            ValueGetter<int> index = cursor.GetGetter<int>(s["Index"]);
            ValueGetter<VBuffer<float>> embedding = cursor.GetGetter<VBuffer<float>>(s["Embedding"]), weights = cursor.GetGetter<VBuffer<float>>(s["Weights"]);
            ValueGetter<VBuffer<ReadOnlyMemory<char>>> tokens = cursor.GetGetter<VBuffer<ReadOnlyMemory<char>>>(s["Tokens"]);
            ValueGetter<DataViewRowId> id = cursor.GetIdGetter();
            var rows = new List<Scored>();
            ReadOnlyMemory<char> t = default;
            int i = 0;
            VBuffer<float> e = default, w = default;
            VBuffer<ReadOnlyMemory<char>> k = default;
            DataViewRowId rowId = default;
            while (cursor.MoveNext())
            {
                // Read the added columns before the input ones on some rows, after them on others.
                if (cursor.Position % 2 == 0)
                {
                    embedding(ref e);
                }

                text(ref t);
                index(ref i);
                id(ref rowId);
                embedding(ref e);
                weights(ref w);
                tokens(ref k);
                rows.Add(new Scored(cursor.Position, cursor.Batch, rowId, t.ToString(), i, [.. e.DenseValues()], [.. w.DenseValues()], [.. k.DenseValues().Select(m => m.ToString())]));
            }

            return rows;
        }
    }

    private sealed record Sentence(string Text, string Label, int Index);

    private sealed class EmbeddingOnly
    {
        public float[] Embedding { get; set; } = [];
    }

    private sealed record Scored(long Position, long Batch, DataViewRowId Id, string Text, int Index, float[] Embedding, float[] Weights, string[] Tokens);
}
