using Microsoft.ML.Attention.Models;
using Microsoft.ML.Attention.Tests.Support;
using Microsoft.ML.Attention.Transforms;
using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.Tests.Sequences;

/// <summary>
/// The sequence-to-sequence transform as a user writes it: <c>LoadFromTextFile</c> → <c>SequenceToSequence</c> (word
/// units, alignment and token columns) → <c>Transform</c> → <c>SaveWithAttention</c> → <c>LoadWithAttention</c> →
/// <c>PredictionEngine</c>, on phrases whose words are reversed; and its refusals of bad rows.
/// </summary>
[TestClass]
public sealed class SequenceToSequencePipelineTests
{
    private static readonly string[] Words = ["red", "blue", "cat", "dog", "runs", "sleeps", "the", "a", "big", "small", "old", "new", "tree", "house", "sees", "eats", "fast", "slow", "green", "bird"];

    public sealed class Pair
    {
        [LoadColumn(0)]
        public string Source { get; set; } = "";

        [LoadColumn(1)]
        public string Target { get; set; } = "";
    }

    public sealed class Output
    {
        public string Prediction { get; set; } = "";

        public float[] Alignment { get; set; } = [];

        public string[] SourceTokens { get; set; } = [];

        public string[] OutputTokens { get; set; } = [];
    }

    [TestMethod]
    public void LoadFitTransformSaveLoadPredict_ReversesHeldOutPhrases_WithAnAntiDiagonalAlignment()
    {
        string directory = Path.Combine(Path.GetTempPath(), $"seq2seq-flow-{Guid.NewGuid():N}");
        Directory.CreateDirectory(directory);
        try
        {
            (string Source, string Target)[] trainRows = Phrases(3000, seed: 1), testRows = Phrases(200, seed: 2);
            string trainPath = Path.Combine(directory, "train.tsv"), testPath = Path.Combine(directory, "test.tsv");
            File.WriteAllLines(trainPath, ["Source\tTarget", .. trainRows.Select(r => $"{r.Source}\t{r.Target}")]);
            File.WriteAllLines(testPath, ["Source\tTarget", .. testRows.Select(r => $"{r.Source}\t{r.Target}")]);

            var mlContext = new MLContext(seed: 0);
            IDataView train = mlContext.Data.LoadFromTextFile<Pair>(trainPath, hasHeader: true, separatorChar: '\t');
            IDataView test = mlContext.Data.LoadFromTextFile<Pair>(testPath, hasHeader: true, separatorChar: '\t');
            var estimator = mlContext.Transforms.SequenceToSequence(new SequenceToSequenceOptions
            {
                SourceColumnName = "Source", TargetColumnName = "Target", OutputColumnName = "Prediction", Unit = TextUnit.Word,
                AlignmentColumnName = "Alignment", SourceTokensColumnName = "SourceTokens", OutputTokensColumnName = "OutputTokens",
                EmbeddingDimension = 16, HiddenSize = 32, AttentionDimension = 32, Dropout = 0f, Epochs = 10, BatchSize = 32, LearningRate = 5e-3f, Seed = 3,
                DecodeBatchSize = 48,
            });
            SequenceToSequenceTransformer model = estimator.Fit(train);
            IDataView scored = model.Transform(test);
            Output[] outputs = [.. mlContext.Data.CreateEnumerable<Output>(scored, reuseRowObject: false)];
            int exact = outputs.Zip(testRows).Count(p => p.First.Prediction == p.Second.Target);
            Assert.AreEqual(testRows.Length, exact, $"held-out phrases reversed exactly: {exact}/{testRows.Length}");

            // The alignment: output word i attends most to source word n − 1 − i.
            int onAntiDiagonal = 0, rows = 0;
            foreach (Output o in outputs)
            {
                int n = o.SourceTokens.Length;
                Assert.HasCount(o.OutputTokens.Length * n, o.Alignment, "alignment = output tokens × source tokens");
                CollectionAssert.AreEqual(o.Prediction.Split(' '), o.OutputTokens);
                for (int i = 0; i < o.OutputTokens.Length; i++)
                {
                    float[] row = o.Alignment[(i * n)..((i + 1) * n)];
                    Assert.AreEqual(1f, row.Sum(), 1e-4f);
                    onAntiDiagonal += Array.IndexOf(row, row.Max()) == n - 1 - i ? 1 : 0;
                    rows++;
                }
            }

            Console.WriteLine($"alignment maximum on the anti-diagonal for {onAntiDiagonal}/{rows} output words");
            Assert.IsGreaterThan(0.9 * rows, onAntiDiagonal, $"alignment maximum on the anti-diagonal for {onAntiDiagonal}/{rows} output words");

            // The estimator's schema is the transformer's.
            SchemaShape promised = estimator.GetOutputSchema(MLNetInternals.ShapeOf(test.Schema));
            CollectionAssert.AreEqual(promised.Select(c => $"{c.Name}:{c.Kind}:{c.ItemType}").ToArray(),
                MLNetInternals.ShapeOf(scored.Schema).Select(c => $"{c.Name}:{c.Kind}:{c.ItemType}").ToArray());

            string path = Path.Combine(directory, "seq2seq.zip");
            mlContext.Model.SaveWithAttention(model, train.Schema, path);
            var fresh = new MLContext();
            ITransformer loaded = fresh.Model.LoadWithAttention(path, out _);
            Output[] reloaded = [.. fresh.Data.CreateEnumerable<Output>(loaded.Transform(fresh.Data.LoadFromTextFile<Pair>(testPath, hasHeader: true, separatorChar: '\t')), reuseRowObject: false)];
            var engine = fresh.Model.CreatePredictionEngine<Pair, Output>(loaded);
            for (int i = 0; i < testRows.Length; i++)
            {
                Assert.AreEqual(outputs[i].Prediction, reloaded[i].Prediction, $"row {i}: the loaded model decodes as the fitted one");
                CollectionAssert.AreEqual(outputs[i].Alignment, reloaded[i].Alignment, $"row {i}: alignment after loading");
                Output p = engine.Predict(new Pair { Source = testRows[i].Source });
                Assert.AreEqual(outputs[i].Prediction, p.Prediction, $"row {i}: PredictionEngine equals Transform");

                // Alone, a source is not padded to its batch's longest: the softmax sums group differently, so the last bits may differ.
                Check.Close(outputs[i].Alignment, p.Alignment, $"row {i}: PredictionEngine's alignment", rtol: 1e-4f, atol: 1e-6f);
            }

            // Transform decodes 48 rows at a time through a cursor of its own; a shuffled cursor decodes row by row, a cursor set is one cursor.
            DataViewSchema.Column prediction = scored.Schema["Prediction"];
            var shuffled = new List<(string Source, string Prediction)>();
            using (DataViewRowCursor cursor = scored.GetRowCursor([scored.Schema["Source"], prediction], new Random(5)))
            {
                ValueGetter<ReadOnlyMemory<char>> source = cursor.GetGetter<ReadOnlyMemory<char>>(scored.Schema["Source"]), predicted = cursor.GetGetter<ReadOnlyMemory<char>>(prediction);
                ReadOnlyMemory<char> a = default, b = default;
                while (cursor.MoveNext())
                {
                    source(ref a);
                    predicted(ref b);
                    shuffled.Add((a.ToString(), b.ToString()));
                }
            }

            Dictionary<string, string> bySource = testRows.Zip(outputs).GroupBy(p => p.First.Source).ToDictionary(g => g.Key, g => g.First().Second.Prediction);
            Assert.HasCount(testRows.Length, shuffled);
            Assert.IsTrue(shuffled.All(p => bySource[p.Source] == p.Prediction), "a shuffled cursor's rows decode as the ordered ones");
            Assert.HasCount(1, scored.GetRowCursorSet([prediction], 4));

            // Predict decodes a list in batches, as Transform does.
            IReadOnlyList<SequenceToSequencePrediction> direct = model.Predict([.. testRows.Select(r => r.Source)]);
            CollectionAssert.AreEqual(outputs.Select(o => o.Prediction).ToArray(), direct.Select(d => d.Text).ToArray());

            // The alignment drawn: one 8-pixel row per output token, one column per source token, the darkest cell of a row where its largest weight is.
            SequenceToSequencePrediction first = direct[0];
            string png = Path.Combine(directory, "alignment.png");
            first.SaveAlignment(png, cellSize: 8);
            using SkiaSharp.SKBitmap bitmap = SkiaSharp.SKBitmap.Decode(png);
            Assert.AreEqual(8 * first.SourceTokens.Length, bitmap.Width);
            Assert.AreEqual(8 * first.OutputTokens.Length, bitmap.Height);
            for (int i = 0; i < first.OutputTokens.Length; i++)
            {
                int top = Array.IndexOf(first.Alignment[i], first.Alignment[i].Max());
                int darkest = Enumerable.Range(0, first.SourceTokens.Length).MinBy(c => Brightness(bitmap.GetPixel(8 * c + 4, 8 * i + 4)));
                Assert.AreEqual(top, darkest, $"output token {i}: the darkest cell");
            }
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [TestMethod]
    public void BadRows_AreRefusedWithTheirColumnAndRow()
    {
        var mlContext = new MLContext(seed: 0);
        SequenceToSequenceOptions Options() => new() { SourceColumnName = "Source", TargetColumnName = "Target", EmbeddingDimension = 4, HiddenSize = 4, AttentionDimension = 4, Epochs = 1, MaximumSourceLength = 6, MaximumTargetLength = 5, Seed = 1 };
        IDataView Data(params (string, string)[] rows) => mlContext.Data.LoadFromEnumerable(rows.Select(r => new Pair { Source = r.Item1, Target = r.Item2 }));

        var empty = Assert.Throws<InvalidOperationException>(() => mlContext.Transforms.SequenceToSequence(Options()).Fit(Data(("abc", "cba"), ("  ", "x"))));
        StringAssert.Contains(empty.Message, "row 1 of source column 'Source' has no token");
        var longTarget = Assert.Throws<InvalidOperationException>(() => mlContext.Transforms.SequenceToSequence(Options()).Fit(Data(("abc", "cba"), ("ab", "abcdef"))));
        StringAssert.Contains(longTarget.Message, "row 1 of target column 'Target' has 6 tokens; MaximumTargetLength is 5");
        var longSource = Assert.Throws<InvalidOperationException>(() => mlContext.Transforms.SequenceToSequence(Options()).Fit(Data(("abcdefg", "a"))));
        StringAssert.Contains(longSource.Message, "row 0 of source column 'Source' has 7 tokens; MaximumSourceLength is 6");

        SequenceToSequenceTransformer model = mlContext.Transforms.SequenceToSequence(Options()).Fit(Data(("abc", "cba"), ("ab", "ba")));
        var atScoring = Assert.Throws<InvalidOperationException>(() => model.Transform(Data(("ab", ""), ("abcdefgh", ""))).GetColumn<string>("Prediction").ToArray());
        StringAssert.Contains(atScoring.Message, "row 1 of source column 'Source' has 8 tokens");

        var schema = Assert.Throws<ArgumentOutOfRangeException>(() => mlContext.Transforms.SequenceToSequence(Options()).GetOutputSchema(
            MLNetInternals.ShapeOf(mlContext.Data.LoadFromEnumerable(new[] { new { Source = "a", Target = 1f } }).Schema)));
        StringAssert.Contains(schema.Message, "target column 'Target' is Single; expected String");
        var options = Assert.Throws<ArgumentOutOfRangeException>(() => mlContext.Transforms.SequenceToSequence(new SequenceToSequenceOptions { BeamWidth = 0 }));
        StringAssert.Contains(options.Message, "BeamWidth");
    }

    private static int Brightness(SkiaSharp.SKColor c) => c.Red + c.Green + c.Blue;

    internal static (string Source, string Target)[] Phrases(int count, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ =>
        {
            string[] words = [.. Enumerable.Range(0, random.Next(2, 7)).Select(_ => Words[random.Next(Words.Length)])];
            return (string.Join(' ', words), string.Join(' ', words.Reverse()));
        })];
    }
}
