using System.IO.Compression;
using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.Tests.Pipeline;

/// <summary>Bad input gets a clear error that names the column, type, file and line; nothing is instantiated from a damaged model.</summary>
[TestClass]
public sealed class StandInBadInputTests
{
    private static IDataView Flowers(MLContext mlContext) => mlContext.Data.LoadFromEnumerable(Pipeline.Flowers.Generate(20, seed: 1));

    [TestMethod]
    public void MissingColumn_IsNamed_AndExistingColumnsListed()
    {
        var mlContext = new MLContext();
        var data = Flowers(mlContext);
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() => mlContext.Transforms.Concatenate("Features", "SepalLength", "PetalHeight").Fit(data));
        StringAssert.Contains(e.Message, "'PetalHeight'");
        StringAssert.Contains(e.Message, "'SepalLength'");
        StringAssert.Contains(e.Message, "'Label'");
    }

    [TestMethod]
    public void WrongType_NamesExpectedAndFound()
    {
        var mlContext = new MLContext();
        var data = Flowers(mlContext);
        var e = Assert.ThrowsExactly<ArgumentOutOfRangeException>(() =>
            mlContext.Transforms.Concatenate("Features", "SepalLength", "PetalLength")
                .Append(mlContext.BinaryClassification.Trainers.LbfgsLogisticRegression())
                .Fit(data));
        StringAssert.Contains(e.Message, "label column 'Label'");
        StringAssert.Contains(e.Message, "expected Boolean, Single or Double");
        StringAssert.Contains(e.Message, "got String");
    }

    [TestMethod]
    public void MalformedCsvRow_NamesFileAndLine()
    {
        string path = Path.Combine(Path.GetTempPath(), $"bad-{Guid.NewGuid():N}.csv");
        File.WriteAllLines(path, ["a,b", "1.5,2", "3,x7", "4,5"]);
        try
        {
            var mlContext = new MLContext();
            var data = mlContext.Data.LoadFromTextFile(path, [new TextLoader.Column("A", DataKind.Single, 0), new TextLoader.Column("B", DataKind.Single, 1)],
                separatorChar: ',', hasHeader: true);
            var e = Assert.ThrowsExactly<FormatException>(() => data.GetColumn<float>("B").ToList());
            StringAssert.Contains(e.Message, path);
            StringAssert.Contains(e.Message, "line 3");
            StringAssert.Contains(e.Message, "'x7'");
            // A column that is not read is not parsed: the scan of A alone succeeds.
            CollectionAssert.AreEqual(new[] { 1.5f, 3f, 4f }, data.GetColumn<float>("A").ToList());

            File.WriteAllLines(path, ["1,\"open", "2,3"]);
            var quoted = mlContext.Data.LoadFromTextFile(path, [new TextLoader.Column("A", DataKind.Single, 0), new TextLoader.Column("B", DataKind.String, 1)],
                separatorChar: ',', allowQuoting: true);
            var q = Assert.ThrowsExactly<FormatException>(() => quoted.GetColumn<float>("A").ToList());
            StringAssert.Contains(q.Message, "line 1");
            StringAssert.Contains(q.Message, "closing quote");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [TestMethod]
    public void DamagedModelFiles_GetClearErrors_AndNothingNamedIsInstantiated()
    {
        var mlContext = new MLContext(seed: 1);
        var data = Flowers(mlContext);
        var model = mlContext.Transforms.Conversion.MapValueToKey("Label").Fit(data);
        string dir = Path.Combine(Path.GetTempPath(), $"models-{Guid.NewGuid():N}");
        Directory.CreateDirectory(dir);
        try
        {
            string good = Path.Combine(dir, "good.zip");
            mlContext.Model.Save(model, data.Schema, good);
            Assert.IsNotNull(mlContext.Model.Load(good, out _));

            string truncated = Path.Combine(dir, "truncated.zip");
            var bytes = File.ReadAllBytes(good);
            File.WriteAllBytes(truncated, bytes[..(bytes.Length / 2)]);
            var e1 = Assert.ThrowsExactly<FormatException>(() => mlContext.Model.Load(truncated, out _));
            StringAssert.Contains(e1.Message, "truncated.zip");

            string notZip = Path.Combine(dir, "text.zip");
            File.WriteAllText(notZip, "hello");
            var e2 = Assert.ThrowsExactly<FormatException>(() => mlContext.Model.Load(notZip, out _));
            StringAssert.Contains(e2.Message, "not a readable zip");

            // A model naming a type that exists in .NET is refused by its signature, never instantiated.
            string hostile = Path.Combine(dir, "hostile.zip");
            using (var archive = ZipFile.Open(hostile, ZipArchiveMode.Create))
            {
                using (var w = new StreamWriter(archive.CreateEntry("Version.txt").Open()))
                    w.Write("Microsoft.ML.StandIn model format 1\n");
                using var s = new BinaryWriter(archive.CreateEntry("Model/Model.key").Open());
                s.Write(0x4D4C4E43u);
                s.Write("System.Diagnostics.Process, System.Diagnostics.Process");
                s.Write(1);
                s.Write(0L);
            }
            var e3 = Assert.ThrowsExactly<FormatException>(() => mlContext.Model.Load(hostile, out _));
            StringAssert.Contains(e3.Message, "unknown component signature 'System.Diagnostics.Process");

            string newer = Path.Combine(dir, "newer.zip");
            using (var archive = ZipFile.Open(newer, ZipArchiveMode.Create))
            {
                using var w = new StreamWriter(archive.CreateEntry("Version.txt").Open());
                w.Write("Microsoft.ML.StandIn model format 2\n");
            }
            var e4 = Assert.ThrowsExactly<FormatException>(() => mlContext.Model.Load(newer, out _));
            StringAssert.Contains(e4.Message, "unsupported format");
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [TestMethod]
    public void Cursors_AreReiterable_ColumnSelective_AndSplitIntoConcurrentSets()
    {
        string path = Path.Combine(Path.GetTempPath(), $"rows-{Guid.NewGuid():N}.tsv");
        using (var writer = new StreamWriter(path))
        {
            for (int i = 0; i < 120_000; i++)
                writer.WriteLine($"{i}\t{i % 7}\tword{i % 13}");
        }
        try
        {
            var mlContext = new MLContext();
            var data = mlContext.Data.LoadFromTextFile(path, [new TextLoader.Column("Id", DataKind.Double, 0), new TextLoader.Column("Mod", DataKind.Single, 1), new TextLoader.Column("Word", DataKind.String, 2)]);
            double expected = 120_000.0 * 119_999 / 2;
            Assert.AreEqual(expected, data.GetColumn<double>("Id").Sum());
            Assert.AreEqual(expected, data.GetColumn<double>("Id").Sum(), "a second scan sees the same rows");

            using (var cursor = data.GetRowCursor([data.Schema["Id"]]))
            {
                Assert.IsTrue(cursor.MoveNext());
                Assert.IsFalse(cursor.IsColumnActive(data.Schema["Word"]));
                Assert.ThrowsExactly<InvalidOperationException>(() => cursor.GetGetter<ReadOnlyMemory<char>>(data.Schema["Word"]));
            }

            var cursors = data.GetRowCursorSet([data.Schema["Id"]], 2);
            Assert.AreEqual(2, cursors.Length);
            var sums = new double[cursors.Length];
            Parallel.For(0, cursors.Length, k =>
            {
                using var c = cursors[k];
                var getter = c.GetGetter<double>(data.Schema["Id"]);
                double v = 0;
                while (c.MoveNext())
                {
                    getter(ref v);
                    sums[k] += v;
                }
            });
            Assert.AreEqual(expected, sums.Sum(), "the cursor set covers every row exactly once");
            Assert.IsTrue(sums.All(s => s > 0), "both cursors did work");
        }
        finally
        {
            File.Delete(path);
        }
    }
}
