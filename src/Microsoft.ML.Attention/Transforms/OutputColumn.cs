using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.Transforms;

/// <summary>A column an estimator adds, as its <c>GetOutputSchema</c> describes it (the fields of a <see cref="SchemaShape.Column"/>).</summary>
/// <param name="Name">The column's name.</param>
/// <param name="Kind">Scalar, fixed-size or variable-size vector.</param>
/// <param name="ItemType">The item type: a primitive type (for a key, its raw type, e.g. UInt32).</param>
/// <param name="IsKey">Whether the items are keys.</param>
/// <param name="HasSlotNames">Whether the column carries the SlotNames annotation (a fixed-size text vector).</param>
/// <param name="HasKeyValues">Whether the (key) column carries the KeyValues annotation as a fixed-size text vector.</param>
internal sealed record OutputColumn(string Name, SchemaShape.Column.VectorKind Kind, DataViewType ItemType, bool IsKey, bool HasSlotNames = false, bool HasKeyValues = false)
{
    /// <summary>ML.NET's annotation kind of slot names (its <c>AnnotationUtils.Kinds.SlotNames</c> is internal).</summary>
    public const string SlotNames = "SlotNames";

    /// <summary>ML.NET's annotation kind of a key column's values (<c>AnnotationUtils.Kinds.KeyValues</c>).</summary>
    public const string KeyValues = "KeyValues";

    /// <summary>The text-vector annotations the column carries, by kind.</summary>
    internal IEnumerable<string> TextVectorAnnotations => new[] { HasSlotNames ? SlotNames : null, HasKeyValues ? KeyValues : null }.OfType<string>();
}
