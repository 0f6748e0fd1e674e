using System.Text;

namespace Microsoft.ML.Attention.Cli.Data;

/// <summary>
/// Writes records to a CSV or TSV stream: a field is quoted (quotes doubled) when it holds the separator, a quote or a
/// line break, so <see cref="DelimitedReader"/> reads back exactly what was written. Lines end with <c>\n</c>.
/// </summary>
internal sealed class DelimitedWriter(TextWriter writer, char separator)
{
    private readonly StringBuilder _line = new();

    /// <summary>The separator.</summary>
    public char Separator { get; } = separator;

    /// <summary>Writes one record.</summary>
    public void Write(IEnumerable<string> fields)
    {
        _line.Clear();
        bool first = true;
        foreach (string field in fields)
        {
            if (!first)
            {
                _line.Append(Separator);
            }

            first = false;
            if (field.AsSpan().IndexOfAny(Separator, '"', '\n') >= 0 || field.Contains('\r'))
            {
                _line.Append('"').Append(field.Replace("\"", "\"\"")).Append('"');
            }
            else
            {
                _line.Append(field);
            }
        }

        writer.Write(_line.Append('\n'));
    }
}
