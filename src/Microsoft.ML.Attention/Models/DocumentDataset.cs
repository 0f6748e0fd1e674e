namespace Microsoft.ML.Attention.Models;

/// <summary>Training documents (sentences of token ids) with their class indices.</summary>
public sealed class DocumentDataset
{
    /// <summary>Creates the dataset; every document needs at least one sentence and every sentence at least one word.</summary>
    public DocumentDataset(IReadOnlyList<int[][]> documents, int[] labels)
    {
        ArgumentNullException.ThrowIfNull(documents);
        ArgumentNullException.ThrowIfNull(labels);
        if (documents.Count != labels.Length)
        {
            throw new ArgumentException($"{documents.Count} documents but {labels.Length} labels.", nameof(labels));
        }

        Documents = documents;
        Labels = labels;
    }

    /// <summary>The documents.</summary>
    public IReadOnlyList<int[][]> Documents { get; }

    /// <summary>Class indices, 0-based.</summary>
    public int[] Labels { get; }

    /// <summary>Number of documents.</summary>
    public int Count => Labels.Length;

    /// <summary>The documents at <paramref name="rows"/> as one padded batch.</summary>
    public DocumentBatch Batch(IReadOnlyList<int> rows) => DocumentBatch.From([.. rows.Select(r => Documents[r])]);

    /// <summary>
    /// <paramref name="rows"/> in batches of about <paramref name="batchSize"/> documents of similar shape (sentence count,
    /// then longest sentence), so that padding stays small. With <paramref name="random"/>, ties are broken and the batches
    /// ordered at random; without, both follow the rows' order.
    /// </summary>
    public List<int[]> Buckets(IReadOnlyList<int> rows, int batchSize, Random? random) =>
        LengthBuckets.Split(rows, r => (Documents[r].Length, Documents[r].Max(s => s.Length)), batchSize, random);
}
