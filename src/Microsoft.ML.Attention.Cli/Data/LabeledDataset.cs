namespace Microsoft.ML.Attention.Cli.Data;

/// <summary>
/// Labelled texts or images for the training and evaluation commands, from a CSV/TSV file with a header (a label column
/// and a text or image-path column; image paths relative to the file's folder) or from a folder holding one subfolder
/// per label (each file in it one text, or one image), as an <see cref="IDataView"/> with two String columns named as
/// the user's (image paths made absolute).
/// </summary>
internal sealed class LabeledDataset
{
    /// <summary>The files a folder of images may hold.</summary>
    private static readonly string[] s_imageExtensions = [".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp"];

    private LabeledDataset(string labelColumn, string inputColumn, List<InputRow> rows, string source)
    {
        LabelColumn = labelColumn;
        InputColumn = inputColumn;
        Rows = rows;
        Source = source;
    }

    /// <summary>The label column's name.</summary>
    public string LabelColumn { get; }

    /// <summary>The text or image-path column's name.</summary>
    public string InputColumn { get; }

    /// <summary>The rows in file order.</summary>
    public IReadOnlyList<InputRow> Rows { get; }

    /// <summary>Where they came from.</summary>
    public string Source { get; }

    /// <summary>The distinct labels, sorted.</summary>
    public IReadOnlyList<string> Labels => [.. Rows.Select(r => r.Label).Distinct().Order(StringComparer.Ordinal)];

    /// <summary>The rows as a data view.</summary>
    public IDataView ToDataView(MLContext mlContext) => mlContext.Data.LoadFromEnumerable(Rows, InputRow.Schema(LabelColumn, InputColumn));

    /// <summary>
    /// Loads <paramref name="path"/>: a folder (labels are its subfolders' names; columns named <paramref name="labelColumn"/>
    /// or "Label", and <paramref name="textColumn"/> or "Text" / "ImagePath") or a CSV/TSV file whose header names the columns.
    /// </summary>
    /// <param name="path">The file or folder.</param>
    /// <param name="labelColumn">The label column (required for a file).</param>
    /// <param name="textColumn">The text or image-path column; null for a file with two columns takes the other one.</param>
    /// <param name="option">The option that named the path (for messages).</param>
    /// <param name="images">The inputs are images (paths) rather than texts.</param>
    /// <exception cref="CliException">A missing path, an unknown column, an empty file, an empty text or label, a missing image.</exception>
    public static LabeledDataset Load(string path, string? labelColumn, string? textColumn, string option, bool images = false)
    {
        if (Directory.Exists(path))
        {
            return FromFolder(path, labelColumn ?? "Label", textColumn ?? (images ? "ImagePath" : "Text"), option, images);
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

        var rows = new List<InputRow>();
        var fields = new List<string>();
        while (reader.TryRead(fields))
        {
            if (string.IsNullOrWhiteSpace(fields[label]))
            {
                throw new CliException($"'{path}', line {reader.RecordLine}: the label column '{reader.Header[label]}' is empty.");
            }

            string input = fields[text];
            if (images)
            {
                input = System.IO.Path.GetFullPath(input, System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path))!);
                if (!File.Exists(input))
                {
                    throw new CliException($"'{path}', line {reader.RecordLine}: the image '{fields[text]}' does not exist (paths are relative to the file's folder).");
                }
            }

            rows.Add(new InputRow { Label = fields[label].Trim(), Input = input });
        }

        if (rows.Count == 0)
        {
            throw new CliException($"{option}: '{path}' has a header but no rows.");
        }

        return new LabeledDataset(reader.Header[label], reader.Header[text], rows, path);
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

    private static LabeledDataset FromFolder(string path, string labelColumn, string textColumn, string option, bool images)
    {
        var rows = new List<InputRow>();
        foreach (string folder in Directory.GetDirectories(path).Order(StringComparer.Ordinal))
        {
            string label = System.IO.Path.GetFileName(folder);
            foreach (string file in Directory.GetFiles(folder).Order(StringComparer.Ordinal))
            {
                if (!images)
                {
                    rows.Add(new InputRow { Label = label, Input = File.ReadAllText(file) });
                }
                else if (s_imageExtensions.Contains(System.IO.Path.GetExtension(file).ToLowerInvariant()))
                {
                    rows.Add(new InputRow { Label = label, Input = System.IO.Path.GetFullPath(file) });
                }
            }
        }

        if (rows.Count == 0)
        {
            throw new CliException($"{option}: the folder '{path}' has no subfolder holding {(images ? "images (" + string.Join(", ", s_imageExtensions) + ")" : "text files")} (one subfolder per label, one file per {(images ? "image" : "text")}).");
        }

        return new LabeledDataset(labelColumn, textColumn, rows, path);
    }
}
