using System.Diagnostics;
using Microsoft.ML.Attention.Models;
using Microsoft.ML.Attention.Transforms;
using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.PerformanceTests.Suites;

/// <summary>
/// Batch scoring through the ML.NET surface: an <c>AttentionEncode</c> model with the default architecture (trained one
/// epoch on generated texts; <c>MaximumLength</c> = the text length), then <c>Transform</c> + a full scan of the
/// embedding column of 10,000 texts of 32 and of 256 words: row by row (<c>WithScoringBatchSize(1)</c>, what
/// <c>Transform</c> did before blocks), in blocks of the default size, and a cursor set of two scanned on two threads,
/// each timed after a warm-up of its own (the JIT compiles a method's optimized code after its first calls), the best
/// of <see cref="Rounds"/> scans taken in turn.
/// Every scan must give the same embeddings (up to float rounding), or the suite fails. Then the same row-by-row and
/// block comparison for the hierarchical attention network (documents) and the image attention classifier (images).
/// </summary>
internal static class ScoringSuite
{
    private const int Rows = 10_000;

    /// <summary>Rows each variant scores before it is timed.</summary>
    private const int WarmUpRows = 2_000;

    /// <summary>
    /// Timed scans of each variant, taken in turn (row by row, then blocks, then again), the best of each reported: this
    /// machine's speed drifts by a quarter over minutes, so variants timed one after the other once are not compared
    /// at the same speed.
    /// </summary>
    private const int Rounds = 3;

    internal static int Run()
    {
        int status = 0;
        foreach (int words in new[] { 32, 256 })
        {
            status |= RunAt(words);
        }

        return status | RunDocuments() | RunImages();
    }

    /// <summary>The hierarchical attention network (defaults, one epoch) over 2,000 documents of 15 sentences × 20 words.</summary>
    private static int RunDocuments()
    {
        const int documents = 2_000;
        var ml = new MLContext(seed: 1);
        IDataView train = ml.Data.LoadFromEnumerable(Documents(400, seed: 1));
        var model = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.HierarchicalAttention(new HierarchicalAttentionOptions { Epochs = 1, Seed = 1 })).Fit(train).LastTransformer;
        IDataView data = ml.Data.LoadFromEnumerable(Documents(documents, seed: 2));
        RowByRowAgainstBlocks("han", "documents/s", documents, ml.Data.TakeRows(data, documents / 4), data, size => size is { } n ? model.WithScoringBatchSize(n) : model);
        return 0;
    }

    /// <summary>The image attention classifier (CBAM, default stages, one epoch) over 5,000 single-channel 28×28 images.</summary>
    private static int RunImages()
    {
        const int images = 5_000;
        var ml = new MLContext(seed: 1);
        IDataView train = ml.Data.LoadFromEnumerable(Images(500, seed: 1));
        var options = new ImageAttentionOptions { Attention = ImageAttentionKind.Cbam, Epochs = 1, Seed = 1 };
        var model = ml.Transforms.Conversion.MapValueToKey("Label")
            .Append(ml.MulticlassClassification.Trainers.ImageAttention(options)).Fit(train).LastTransformer;
        IDataView data = ml.Data.LoadFromEnumerable(Images(images, seed: 2));
        RowByRowAgainstBlocks("image", "images/s", images, ml.Data.TakeRows(data, images / 4), data, size => size is { } n ? model.WithScoringBatchSize(n) : model);
        return 0;
    }

    /// <summary>Times a full scan of the Score column row by row (a transformer with blocks of 1) and in the default blocks, each after a warm-up on its own path.</summary>
    private static void RowByRowAgainstBlocks(string name, string unit, int rows, IDataView warmUp, IDataView data, Func<int?, ITransformer> withBlocksOf)
    {
        Scan(withBlocksOf(1).Transform(warmUp), "Score");
        Scan(withBlocksOf(null).Transform(warmUp), "Score");
        double single = 0, batched = 0;
        for (int round = 0; round < Rounds; round++)
        {
            single = Math.Max(single, Rate(rows, () => Scan(withBlocksOf(1).Transform(data), "Score")));
            batched = Math.Max(batched, Rate(rows, () => Scan(withBlocksOf(null).Transform(data), "Score")));
        }

        Timing.Result($"scoring.{name}.row_by_row", single, unit);
        Timing.Result($"scoring.{name}.batched", batched, unit);
        Timing.Result($"scoring.{name}.batched_speedup", batched / single, "x");
    }

    private static double Rate(int rows, Action scan)
    {
        var sw = Stopwatch.StartNew();
        scan();
        return rows / sw.Elapsed.TotalSeconds;
    }

    private static float[][] Scan(IDataView view, string column) => [.. view.GetColumn<float[]>(column)];

    private static List<Document> Documents(int count, int seed)
    {
        var random = new Random(seed);
        var rows = new List<Document>(count);
        var sb = new System.Text.StringBuilder();
        for (int i = 0; i < count; i++)
        {
            sb.Clear();
            for (int s = 0; s < 15; s++)
            {
                for (int w = 0; w < 20; w++)
                {
                    sb.Append('w').Append(random.Next(5_000)).Append(w == 19 ? ". " : " ");
                }
            }

            rows.Add(new Document(sb.ToString(), (i % 4).ToString(System.Globalization.CultureInfo.InvariantCulture), i));
        }

        return rows;
    }

    private static List<Picture> Images(int count, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(i => new Picture { Label = (i % 10).ToString(System.Globalization.CultureInfo.InvariantCulture), Features = [.. Enumerable.Range(0, 28 * 28).Select(_ => (float)random.NextDouble() * 255)] })];
    }

    private sealed class Picture
    {
        public string Label { get; set; } = "";

        [VectorType(1, 28, 28)]
        public float[] Features { get; set; } = [];
    }

    private static int RunAt(int words)
    {
        var ml = new MLContext(seed: 1);
        var options = new AttentionEncodeOptions { MaximumLength = words, Epochs = 1, Seed = 1 };
        IDataView train = ml.Data.LoadFromEnumerable(Texts(2_000, words, seed: 1));
        var encoder = ml.Transforms.Conversion.MapValueToKey("Label").Append(ml.Transforms.AttentionEncode(options)).Fit(train).LastTransformer;
        IDataView data = ml.Data.LoadFromEnumerable(Texts(Rows, words, seed: 2));
        var variants = new (string Name, Func<IDataView, float[][]> Scan)[]
        {
            ("row_by_row", view => Scan(encoder.WithScoringBatchSize(1).Transform(view))),
            ("batched", view => Scan(encoder.Transform(view))),
            ("batched_256", view => Scan(encoder.WithScoringBatchSize(256).Transform(view))),
            ("batched_cursor_set_2", view => ScanSet(encoder.Transform(view))),
        };

        float[][]? reference = null;
        foreach ((string name, Func<IDataView, float[][]> scan) in variants)
        {
            // Warm-up on the variant's own path, long enough for the JIT's tiers to settle (a method's optimized code is
            // compiled after its first calls, with the shapes of those calls): each variant is timed in its steady state.
            scan(ml.Data.TakeRows(data, WarmUpRows));
            float[][] embeddings = scan(data);
            reference ??= embeddings;
            if (!Same(reference, embeddings))
            {
                Console.Error.WriteLine($"scoring: {name} at {words} words gives other embeddings than row by row");
                return 1;
            }
        }

        var rates = new Dictionary<string, double>();
        for (int round = 0; round < Rounds; round++)
        {
            foreach ((string name, Func<IDataView, float[][]> scan) in variants)
            {
                double rate = Rate(Rows, () => scan(data));
                rates[name] = Math.Max(rate, rates.GetValueOrDefault(name));
            }
        }

        foreach ((string name, _) in variants)
        {
            Timing.Result($"scoring.w{words}.{name}", rates[name], "rows/s");
        }

        Timing.Result($"scoring.w{words}.batched_speedup", rates["batched"] / rates["row_by_row"], "x");
        Timing.Result($"scoring.w{words}.cursor_set_speedup", rates["batched_cursor_set_2"] / rates["row_by_row"], "x");
        return 0;
    }

    private static float[][] Scan(IDataView view) => [.. view.GetColumn<float[]>("Embedding")];

    /// <summary>A cursor set of two, each scanned on a thread of its own; the embeddings put back in row order by the Index column.</summary>
    private static float[][] ScanSet(IDataView view)
    {
        DataViewSchema.Column[] columns = [view.Schema["Embedding"], view.Schema["Index"]];
        DataViewRowCursor[] cursors = view.GetRowCursorSet(columns, 2);
        var result = new float[Rows][];
        Parallel.For(0, cursors.Length, new ParallelOptions { MaxDegreeOfParallelism = cursors.Length }, c =>
        {
            using DataViewRowCursor cursor = cursors[c];
            ValueGetter<VBuffer<float>> embedding = cursor.GetGetter<VBuffer<float>>(columns[0]);
            ValueGetter<int> index = cursor.GetGetter<int>(columns[1]);
            VBuffer<float> e = default;
            int i = 0;
            while (cursor.MoveNext())
            {
                index(ref i);
                embedding(ref e);
                result[i] = [.. e.DenseValues()];
            }
        });
        return result;
    }

    private static bool Same(float[][] a, float[][] b) =>
        a.Length == b.Length && a.Zip(b).All(p => p.First.Zip(p.Second).All(v => Math.Abs(v.First - v.Second) <= 1e-4f * (1 + Math.Abs(v.First))));

    /// <summary>Texts of exactly <paramref name="words"/> words over a 5,000-word vocabulary; the label is the first word's class.</summary>
    internal static List<Document> Texts(int count, int words, int seed)
    {
        var random = new Random(seed);
        var rows = new List<Document>(count);
        var sb = new System.Text.StringBuilder();
        for (int i = 0; i < count; i++)
        {
            sb.Clear();
            int first = random.Next(5_000);
            sb.Append('w').Append(first);
            for (int w = 1; w < words; w++)
            {
                sb.Append(" w").Append(random.Next(5_000));
            }

            rows.Add(new Document(sb.ToString(), (first % 4).ToString(System.Globalization.CultureInfo.InvariantCulture), i));
        }

        return rows;
    }

    internal sealed record Document(string Text, string Label, int Index);
}
