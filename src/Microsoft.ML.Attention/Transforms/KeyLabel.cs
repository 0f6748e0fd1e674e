using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.Transforms;

/// <summary>
/// A multiclass label column (a key, as <c>MapValueToKey</c> makes it) as the pack's classifiers read it, and the
/// <c>Score</c> and <c>PredictedLabel</c> columns they write for ML.NET's multiclass <c>Evaluate</c>.
/// </summary>
internal static class KeyLabel
{
    /// <summary>The number of classes and a reader of each row's class index (0-based), refusing a missing value by row.</summary>
    internal static (int Classes, Func<DataViewRow, long, int> Read) Reader(DataViewSchema.Column label, string owner)
    {
        string name = label.Name;
        if (label.Type is not KeyDataViewType key || key.RawType != typeof(uint))
        {
            throw new ArgumentOutOfRangeException(nameof(label), $"{owner}: label column '{name}' has type {label.Type}; expected a key (use MapValueToKey for classes).");
        }

        if (key.Count < 2 || key.Count > 1 << 16)
        {
            throw new ArgumentOutOfRangeException(nameof(label), $"{owner}: label column '{name}' is a key with {key.Count} values; classification needs 2 to 65536.");
        }

        ValueGetter<uint>? getter = null;
        return ((int)key.Count, (row, position) =>
        {
            getter ??= row.GetGetter<uint>(label);
            uint k = 0;
            getter(ref k);
            return k == 0 || k > key.Count
                ? throw new InvalidOperationException($"{owner}: row {position} has a missing label in column '{name}' (key 0, a value not seen by MapValueToKey).")
                : (int)k - 1;
        });
    }

    /// <summary>The key label column of <paramref name="schema"/>, refused (by name) when missing or not a scalar key.</summary>
    internal static SchemaShape.Column Find(SchemaShape schema, string name, string owner)
    {
        SchemaShape.Column label = schema.FirstOrDefault(c => c.Name == name);
        if (label.Name is null)
        {
            throw new ArgumentOutOfRangeException(nameof(schema), $"{owner}: label column '{name}' not found. Columns: {string.Join(", ", schema.Select(c => c.Name))}.");
        }

        return label.Kind == SchemaShape.Column.VectorKind.Scalar && label.IsKey
            ? label
            : throw new ArgumentOutOfRangeException(nameof(schema), $"{owner}: label column '{name}' is {label.ItemType}{(label.IsKey ? " key" : "")}; expected a key (use MapValueToKey for classes).");
    }

    /// <summary>Score (a vector) and PredictedLabel (a key, with the label's KeyValues when it has them), as the estimators' output schemas list them.</summary>
    internal static List<OutputColumn> PredictionOutputs(SchemaShape.Column label, string scoreName, string predictedName) =>
    [
        new(scoreName, SchemaShape.Column.VectorKind.Vector, NumberDataViewType.Single, false),
        new(predictedName, SchemaShape.Column.VectorKind.Scalar, NumberDataViewType.UInt32, true, HasKeyValues: label.Annotations?.Any(a => a.Name == OutputColumn.KeyValues) == true),
    ];

    /// <summary>The label's key values as text, or null when it has none (or they are not text).</summary>
    internal static string[]? Values(DataViewSchema.Column label)
    {
        if (label.Annotations.Schema.GetColumnOrNull(OutputColumn.KeyValues)?.Type is not VectorDataViewType { ItemType: TextDataViewType })
        {
            return null;
        }

        VBuffer<ReadOnlyMemory<char>> values = default;
        label.Annotations.GetValue(OutputColumn.KeyValues, ref values);
        return [.. values.DenseValues().Select(v => v.ToString())];
    }

    /// <summary>Adds Score [classes] and PredictedLabel (a key carrying the training label's values, when known).</summary>
    internal static void AddPredictionColumns(DataViewSchema.Builder builder, int classes, string[]? labelValues, string scoreName, string predictedName)
    {
        builder.AddColumn(scoreName, new VectorDataViewType(NumberDataViewType.Single, classes));
        var keyAnnotations = new DataViewSchema.Annotations.Builder();
        if (labelValues is { } values)
        {
            ValueGetter<VBuffer<ReadOnlyMemory<char>>> getter = (ref VBuffer<ReadOnlyMemory<char>> dst) =>
                dst = new VBuffer<ReadOnlyMemory<char>>(values.Length, [.. values.Select(v => v.AsMemory())]);
            keyAnnotations.Add(OutputColumn.KeyValues, new VectorDataViewType(TextDataViewType.Instance, values.Length), getter);
        }

        builder.AddColumn(predictedName, new KeyDataViewType(typeof(uint), classes), keyAnnotations.ToAnnotations());
    }
}
