using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.Cli.Data;

/// <summary>
/// Labelled texts for the text commands, from a CSV/TSV file with a header or from a folder holding one subfolder per
/// label (each file in it one text), as an <see cref="IDataView"/> with two String columns named as the user's.
/// </summary>
internal sealed class TextDataset
{
    private TextDataset(string labelColumn, string textColumn, List<TextRow> rows, string source)
    {
        LabelColumn = labelColumn;
        TextColumn = textColumn;
        Rows = rows;
        Source = source;
    }

    /// <summary>The label column's name.</summary>
    public string LabelColumn { get; }

    /// <summary>The text column's name.</summary>
    public string TextColumn { get; }

    /// <summary>The rows in file order.</summary>
    public IReadOnlyList<TextRow> Rows { get; }

    /// <summary>Where they came from.</summary>
    public string Source { get; }

    /// <summary>The distinct labels, sorted.</summary>
    public IReadOnlyList<string> Labels => [.. Rows.Select(r => r.Label).Distinct().Order(StringComparer.Ordinal)];

    /// <summary>The schema of <see cref="TextRow"/> with the columns renamed to <paramref name="labelColumn"/> and <paramref name="textColumn"/>.</summary>
    public static SchemaDefinition Schema(string labelColumn, string textColumn)
    {
        SchemaDefinition schema = SchemaDefinition.Create(typeof(TextRow));
        schema[nameof(TextRow.Label)].ColumnName = labelColumn;
        schema[nameof(TextRow.Text)].ColumnName = textColumn;
        return schema;
    }

    /// <summary>The rows as a data view.</summary>
    public IDataView ToDataView(MLContext mlContext) => mlContext.Data.LoadFromEnumerable(Rows, Schema(LabelColumn, TextColumn));

    /// <summary>
    /// Loads <paramref name="path"/>: a folder (labels are its subfolders' names; columns named <paramref name="labelColumn"/>
    /// or "Label", and <paramref name="textColumn"/> or "Text") or a CSV/TSV file whose header names the columns.
    /// </summary>
    /// <param name="path">The file or folder.</param>
    /// <param name="labelColumn">The label column (required for a file).</param>
    /// <param name="textColumn">The text column; null for a file with two columns takes the other one.</param>
    /// <param name="option">The option that named the path (for messages).</param>
    /// <exception cref="CliException">A missing path, an unknown column, an empty file, an empty text or label.</exception>
    public static TextDataset Load(string path, string? labelColumn, string? textColumn, string option)
    {
        if (Directory.Exists(path))
        {
            return FromFolder(path, labelColumn ?? "Label", textColumn ?? "Text", option);
        }

        if (!File.Exists(path))
        {
            throw new CliException($"{option}: '{path}' is neither a file nor a folder.");
        }

        using var reader = new DelimitedReader(path);
        if (labelColumn is null)
        {
            throw new CliException($"--label-col: name the label column of '{path}' (its columns are {string.Join(", ", reader.Header.Select(h => $"'{h}'"))}).");
        }

        int label = reader.Require(labelColumn, "--label-col");
        int text;
        if (textColumn is not null)
        {
            text = reader.Require(textColumn, "--text-col");
        }
        else if (reader.Header.Count == 2)
        {
            text = 1 - label;
        }
        else
        {
            throw new CliException($"--text-col: '{path}' has {reader.Header.Count} columns ({string.Join(", ", reader.Header.Select(h => $"'{h}'"))}); name the text column.");
        }

        var rows = new List<TextRow>();
        var fields = new List<string>();
        while (reader.TryRead(fields))
        {
            if (string.IsNullOrWhiteSpace(fields[label]))
            {
                throw new CliException($"'{path}', line {reader.RecordLine}: the label column '{reader.Header[label]}' is empty.");
            }

            rows.Add(new TextRow { Label = fields[label].Trim(), Text = fields[text] });
        }

        if (rows.Count == 0)
        {
            throw new CliException($"{option}: '{path}' has a header but no rows.");
        }

        return new TextDataset(reader.Header[label], reader.Header[text], rows, path);
    }

    /// <summary>Throws unless the labels hold at least two classes.</summary>
    public void RequireClasses()
    {
        IReadOnlyList<string> labels = Labels;
        if (labels.Count < 2)
        {
            throw new CliException($"--label-col: the label column '{LabelColumn}' of '{Source}' has one class ('{labels[0]}') in {Rows.Count} rows; classification needs at least two.");
        }
    }

    private static TextDataset FromFolder(string path, string labelColumn, string textColumn, string option)
    {
        var rows = new List<TextRow>();
        foreach (string folder in Directory.GetDirectories(path).Order(StringComparer.Ordinal))
        {
            string label = System.IO.Path.GetFileName(folder);
            foreach (string file in Directory.GetFiles(folder).Order(StringComparer.Ordinal))
            {
                rows.Add(new TextRow { Label = label, Text = File.ReadAllText(file) });
            }
        }

        if (rows.Count == 0)
        {
            throw new CliException($"{option}: the folder '{path}' has no subfolder holding text files (one subfolder per label, one file per text).");
        }

        return new TextDataset(labelColumn, textColumn, rows, path);
    }
}
