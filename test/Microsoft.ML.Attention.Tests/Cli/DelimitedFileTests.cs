using Microsoft.ML.Attention.Cli;
using Microsoft.ML.Attention.Cli.Data;
using Microsoft.ML.Attention.Cli.Scoring;

namespace Microsoft.ML.Attention.Tests.Cli;

/// <summary>The CSV/TSV reader and writer the commands share, and the shard partition.</summary>
[TestClass]
public sealed class DelimitedFileTests
{
    [TestMethod]
    public void WrittenFields_ReadBackExactly_QuotesSeparatorsAndLineBreaksIncluded()
    {
        string[][] records = [["a", "plain"], ["b,c", "with \"quotes\""], ["multi\nline", ""], ["\"", "tab\there"]];
        foreach (char separator in new[] { ',', '\t' })
        {
            string path = Path.Combine(CliRun.NewFolder(), separator == ',' ? "f.csv" : "f.tsv");
            using (var writer = new StreamWriter(path))
            {
                var output = new DelimitedWriter(writer, separator);
                output.Write(["First", "Second"]);
                foreach (string[] record in records)
                {
                    output.Write(record);
                }
            }

            using var reader = new DelimitedReader(path);
            Assert.AreEqual(separator, reader.Separator, "told by the extension");
            CollectionAssert.AreEqual(new[] { "First", "Second" }, reader.Header.ToArray());
            var fields = new List<string>();
            foreach (string[] record in records)
            {
                Assert.IsTrue(reader.TryRead(fields));
                CollectionAssert.AreEqual(record, fields.ToArray());
            }

            Assert.IsFalse(reader.TryRead(fields));
        }
    }

    [TestMethod]
    public void UnclosedQuote_NamesTheLine()
    {
        string path = Path.Combine(CliRun.NewFolder(), "bad.csv");
        File.WriteAllText(path, "A,B\n1,2\n3,\"open\n");
        using var reader = new DelimitedReader(path);
        var fields = new List<string>();
        Assert.IsTrue(reader.TryRead(fields));
        var e = Assert.ThrowsExactly<CliException>(() => reader.TryRead(fields));
        StringAssert.Contains(e.Message, "line 3: a quoted field is not closed");
    }

    [TestMethod]
    public void Shards_PartitionTheRowsInWholeBlocks()
    {
        var shards = Enumerable.Range(1, 3).Select(i => ShardSpec.Parse($"{i}/3")).ToArray();
        for (long row = 0; row < 10 * ShardSpec.BlockRows; row += 97)
        {
            Assert.AreEqual(1, shards.Count(s => s.Holds(row)), $"row {row} is in exactly one shard");
            Assert.IsTrue(shards[(int)(row / ShardSpec.BlockRows % 3)].Holds(row));
        }

        Assert.IsTrue(ShardSpec.All.Holds(123_456));
        foreach (string bad in new[] { "0/3", "4/3", "1/0", "a/b", "1", "1/2/3", "-1/2" })
        {
            Assert.ThrowsExactly<CliException>(() => ShardSpec.Parse(bad), bad);
        }
    }
}
