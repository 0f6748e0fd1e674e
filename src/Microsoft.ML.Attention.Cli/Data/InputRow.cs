using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.Cli.Data;

/// <summary>
/// One labelled input of a classifier the command line trains: a text, or an image's path. Its two columns take the
/// user's names through <see cref="Schema"/>.
/// </summary>
internal sealed class InputRow
{
    /// <summary>The label as written (empty when scoring rows without one).</summary>
    public string Label { get; set; } = "";

    /// <summary>The text, or the image's path.</summary>
    public string Input { get; set; } = "";

    /// <summary>This class's schema with its columns named <paramref name="labelColumn"/> and <paramref name="inputColumn"/>.</summary>
    public static SchemaDefinition Schema(string labelColumn, string inputColumn)
    {
        SchemaDefinition schema = SchemaDefinition.Create(typeof(InputRow));
        schema[nameof(Label)].ColumnName = labelColumn;
        schema[nameof(Input)].ColumnName = inputColumn;
        return schema;
    }
}
