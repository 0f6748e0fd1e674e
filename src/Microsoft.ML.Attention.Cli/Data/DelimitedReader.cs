using System.Text;

namespace Microsoft.ML.Attention.Cli.Data;

/// <summary>
/// Reads a CSV or TSV file record by record, with a header: fields split at the separator; a field that starts with a
/// double quote runs to its closing quote (<c>""</c> inside is one quote) and may hold separators and line breaks.
/// Streams: memory is one record.
/// </summary>
internal sealed class DelimitedReader : IDisposable
{
    private readonly StreamReader _reader;
    private readonly FileStream _stream;
    private readonly StringBuilder _field = new();
    private long _line;

    /// <summary>Opens <paramref name="path"/> and reads its header.</summary>
    /// <param name="path">The file.</param>
    /// <param name="separator">The separator; null: tab for <c>.tsv</c>, comma for <c>.csv</c>, else whichever of the two the header holds more of.</param>
    /// <exception cref="CliException">The file does not exist or is empty.</exception>
    public DelimitedReader(string path, char? separator = null)
    {
        if (!File.Exists(path))
        {
            throw new CliException($"The file '{path}' does not exist.");
        }

        Path = path;
        _stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        _reader = new StreamReader(_stream, Encoding.UTF8, detectEncodingFromByteOrderMarks: true, 1 << 16);
        string? first = _reader.ReadLine();
        if (string.IsNullOrWhiteSpace(first))
        {
            Dispose();
            throw new CliException($"The file '{path}' is empty: it needs a header line naming its columns.");
        }

        Separator = separator ?? Detect(path, first);
        var header = new List<string>();
        _line = 1;
        ReadFields(first, header);
        Header = [.. header.Select(h => h.Trim())];
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>The separator.</summary>
    public char Separator { get; }

    /// <summary>The header's column names.</summary>
    public IReadOnlyList<string> Header { get; }

    /// <summary>The 1-based line on which the last record read starts.</summary>
    public long RecordLine { get; private set; } = 1;

    /// <summary>The file's length in bytes.</summary>
    public long Length => _stream.Length;

    /// <summary>Bytes consumed so far (to the reader's buffer).</summary>
    public long Position => _stream.Position;

    /// <summary>The index of column <paramref name="name"/> (case-sensitive, then not), or -1.</summary>
    public int IndexOf(string name)
    {
        int exact = Header.ToList().IndexOf(name);
        return exact >= 0 ? exact : Header.ToList().FindIndex(h => string.Equals(h, name, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The index of column <paramref name="name"/>, or an error naming the file's columns.</summary>
    /// <param name="name">The column.</param>
    /// <param name="option">The option that named it (for the message).</param>
    public int Require(string name, string option)
    {
        int index = IndexOf(name);
        return index >= 0
            ? index
            : throw new CliException($"{option}: the column '{name}' is not in '{Path}'; its columns are {string.Join(", ", Header.Select(h => $"'{h}'"))}.");
    }

    /// <summary>Reads the next record into <paramref name="fields"/> (cleared first); false at the end of the file. Blank lines are skipped.</summary>
    /// <exception cref="CliException">The record's field count differs from the header's.</exception>
    public bool TryRead(List<string> fields)
    {
        string? line;
        do
        {
            line = _reader.ReadLine();
            if (line is null)
            {
                return false;
            }

            _line++;
        }
        while (line.Length == 0);

        RecordLine = _line;
        fields.Clear();
        ReadFields(line, fields);
        if (fields.Count != Header.Count)
        {
            throw new CliException($"'{Path}', line {RecordLine}: {fields.Count} field(s) where the header has {Header.Count} (separator '{Printable(Separator)}').");
        }

        return true;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        _reader.Dispose();
        _stream.Dispose();
    }

    /// <summary>The separator's name for messages.</summary>
    internal static string Printable(char separator) => separator == '\t' ? "\\t" : separator.ToString();

    private static char Detect(string path, string header)
    {
        string extension = System.IO.Path.GetExtension(path).ToLowerInvariant();
        return extension switch
        {
            ".tsv" or ".tab" => '\t',
            ".csv" => ',',
            _ => header.Count(c => c == '\t') >= header.Count(c => c == ',') ? '\t' : ',',
        };
    }

    private void ReadFields(string line, List<string> fields)
    {
        int i = 0;
        while (true)
        {
            _field.Clear();
            if (i < line.Length && line[i] == '"')
            {
                i++;
                while (true)
                {
                    if (i == line.Length)
                    {
                        // A quoted field that holds a line break: continue on the next line.
                        string? next = _reader.ReadLine() ?? throw new CliException($"'{Path}', line {RecordLine}: a quoted field is not closed before the end of the file.");
                        _line++;
                        _field.Append('\n');
                        line = next;
                        i = 0;
                        continue;
                    }

                    char c = line[i++];
                    if (c == '"')
                    {
                        if (i < line.Length && line[i] == '"')
                        {
                            _field.Append('"');
                            i++;
                            continue;
                        }

                        break;
                    }

                    _field.Append(c);
                }

                // Anything between the closing quote and the separator is kept as written.
                while (i < line.Length && line[i] != Separator)
                {
                    _field.Append(line[i++]);
                }
            }
            else
            {
                int end = line.IndexOf(Separator, i);
                _field.Append(line, i, (end < 0 ? line.Length : end) - i);
                i = end < 0 ? line.Length : end;
            }

            fields.Add(_field.ToString());
            if (i >= line.Length)
            {
                return;
            }

            i++; // the separator
        }
    }
}
