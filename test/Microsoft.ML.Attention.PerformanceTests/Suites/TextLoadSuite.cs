using System.Diagnostics;
using System.Globalization;
using System.Text;
using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.PerformanceTests.Suites;

/// <summary>
/// Streaming through the ML.NET surface: <c>LoadFromTextFile</c> over a generated file of about 1 GB
/// (<c>TEXTLOAD_MB</c> overrides the size), a fitted <c>Concatenate</c> + <c>NormalizeMinMax</c> chain, and full scans
/// of the transformed view with one cursor, with a cursor set of two scanned in parallel, and with two independent
/// cursors running concurrently. Every scan must see the same rows and the same sum, or the suite fails.
/// Prints throughput and the process's peak working set, which must stay far below the file size.
/// </summary>
internal static class TextLoadSuite
{
    private const int Width = 8;

    internal static int Run()
    {
        int megabytes = int.TryParse(Environment.GetEnvironmentVariable("TEXTLOAD_MB"), out int mb) && mb > 0 ? mb : 1024;
        string path = Path.Combine(Path.GetTempPath(), $"attention-textload-{megabytes}MB.csv");
        EnsureFile(path, (long)megabytes << 20);
        long bytes = new FileInfo(path).Length;
        double fileMb = bytes / (1024.0 * 1024.0);

        var ml = new MLContext(seed: 1);
        IDataView data = ml.Data.LoadFromTextFile<Row>(path, separatorChar: ',', hasHeader: true);
        var pipeline = ml.Transforms.Concatenate("Features", "A", "B")
            .Append(ml.Transforms.NormalizeMinMax("Features"));

        var sw = Stopwatch.StartNew();
        var model = pipeline.Fit(data);
        double fitSeconds = sw.Elapsed.TotalSeconds;
        IDataView transformed = model.Transform(data);
        var features = transformed.Schema["Features"];

        sw.Restart();
        var single = Scan(transformed.GetRowCursor(new[] { features }), features);
        double singleSeconds = sw.Elapsed.TotalSeconds;

        sw.Restart();
        var cursors = transformed.GetRowCursorSet(new[] { features }, 2);
        var parts = new (long Rows, double Sum)[cursors.Length];
        Parallel.For(0, cursors.Length, new ParallelOptions { MaxDegreeOfParallelism = cursors.Length }, i => parts[i] = Scan(cursors[i], features));
        double setSeconds = sw.Elapsed.TotalSeconds;
        var set = (Rows: parts.Sum(p => p.Rows), Sum: parts.Sum(p => p.Sum));

        sw.Restart();
        var independent = new Task<(long Rows, double Sum)>[2];
        for (int i = 0; i < independent.Length; i++)
        {
            independent[i] = Task.Factory.StartNew(() => Scan(transformed.GetRowCursor(new[] { features }), features), TaskCreationOptions.LongRunning);
        }

        Task.WaitAll(independent);
        double concurrentSeconds = sw.Elapsed.TotalSeconds;

        long peak = Process.GetCurrentProcess().PeakWorkingSet64;
        bool consistent = set.Rows == single.Rows && Close(set.Sum, single.Sum)
            && independent.All(t => t.Result.Rows == single.Rows && Close(t.Result.Sum, single.Sum));

        Timing.Result("textload.file_size", fileMb, "MB");
        Timing.Result("textload.rows", single.Rows, "rows");
        Timing.Result("textload.fit_concat_normalize", fileMb / fitSeconds, "MB/s");
        Timing.Result("textload.scan_one_cursor", fileMb / singleSeconds, "MB/s");
        Timing.Result("textload.scan_cursor_set_2", fileMb / setSeconds, "MB/s");
        Timing.Result("textload.scan_2_independent_cursors", 2 * fileMb / concurrentSeconds, "MB/s");
        Timing.Result("textload.peak_working_set", peak / (1024.0 * 1024.0), "MB");
        Timing.Result("textload.peak_working_set_share_of_file", 100.0 * peak / bytes, "%");
        if (!consistent)
        {
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"textload: scans disagree: one cursor {single}, cursor set {set}, independent {independent[0].Result} / {independent[1].Result}"));
            return 1;
        }

        return 0;
    }

    private static (long Rows, double Sum) Scan(DataViewRowCursor cursor, DataViewSchema.Column features)
    {
        using (cursor)
        {
            var getter = cursor.GetGetter<VBuffer<float>>(features);
            VBuffer<float> value = default;
            long rows = 0;
            double sum = 0;
            while (cursor.MoveNext())
            {
                getter(ref value);
                foreach (float x in value.DenseValues())
                {
                    sum += x;
                }

                rows++;
            }

            return (rows, sum);
        }
    }

    private static bool Close(double a, double b) => Math.Abs(a - b) <= 1e-9 * Math.Max(1, Math.Abs(a));

    /// <summary>Writes the data file once (label, two groups of <see cref="Width"/> numbers); later runs reuse it.</summary>
    private static void EnsureFile(string path, long targetBytes)
    {
        string done = path + ".done";
        if (File.Exists(path) && File.Exists(done))
        {
            return;
        }

        Console.Error.WriteLine($"textload: writing {targetBytes >> 20} MB to {path} (once)...");
        var random = new Random(7);
        string temporary = path + ".partial";
        using (var writer = new StreamWriter(temporary, false, new UTF8Encoding(false), 1 << 20))
        {
            writer.Write("Label");
            for (int i = 0; i < 2 * Width; i++)
            {
                writer.Write(i < Width ? ",A" : ",B");
                writer.Write(i % Width);
            }

            writer.Write('\n');
            Span<char> number = stackalloc char[32];
            while (writer.BaseStream.Position < targetBytes)
            {
                for (int line = 0; line < 1024; line++)
                {
                    writer.Write(random.Next(2) == 0 ? '0' : '1');
                    for (int i = 0; i < 2 * Width; i++)
                    {
                        writer.Write(',');
                        double value = (random.NextDouble() - 0.5) * 200;
                        value.TryFormat(number, out int written, "F4", CultureInfo.InvariantCulture);
                        writer.Write(number[..written]);
                    }

                    writer.Write('\n');
                }
            }
        }

        File.Move(temporary, path, overwrite: true);
        File.WriteAllText(done, "");
    }

    private sealed class Row
    {
        [LoadColumn(0)]
        public float Label { get; set; }

        [LoadColumn(1, Width)]
        [VectorType(Width)]
        public float[] A { get; set; } = [];

        [LoadColumn(Width + 1, 2 * Width)]
        [VectorType(Width)]
        public float[] B { get; set; } = [];
    }
}
