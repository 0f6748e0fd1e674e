using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.Transforms;

/// <summary>
/// Schema-shape columns made through public API only: a <c>CustomMapping</c> estimator, given a
/// <see cref="SchemaDefinition"/> of one new column, builds and validates its <see cref="SchemaShape.Column"/> in
/// <c>GetOutputSchema</c>. Used when ML.NET's internal column constructor cannot be found; a test shows both routes
/// give the same columns.
/// </summary>
internal static class PublicSchemaColumns
{
    public static IEnumerable<SchemaShape.Column> Create(IReadOnlyList<OutputColumn> columns)
    {
        var context = new MLContext(seed: 0);
        return [.. columns.Select(c => Create(context, c))];
    }

    private static SchemaShape.Column Create(MLContext context, OutputColumn column)
    {
        if (column.ItemType is not PrimitiveDataViewType item)
        {
            throw new NotSupportedException($"Column '{column.Name}': {column.ItemType} is not a primitive item type.");
        }

        // One generic holder per .NET item type; ML.NET's primitive types are a closed set.
        return Type.GetTypeCode(item.RawType) switch
        {
            TypeCode.SByte => Create<sbyte>(context, column),
            TypeCode.Byte => Create<byte>(context, column),
            TypeCode.Int16 => Create<short>(context, column),
            TypeCode.UInt16 => Create<ushort>(context, column),
            TypeCode.Int32 => Create<int>(context, column),
            TypeCode.UInt32 => Create<uint>(context, column),
            TypeCode.Int64 => Create<long>(context, column),
            TypeCode.UInt64 => Create<ulong>(context, column),
            TypeCode.Single => Create<float>(context, column),
            TypeCode.Double => Create<double>(context, column),
            TypeCode.Boolean => Create<bool>(context, column),
            TypeCode.DateTime => Create<DateTime>(context, column),
            _ when item.RawType == typeof(ReadOnlyMemory<char>) => Create<ReadOnlyMemory<char>>(context, column),
            _ when item.RawType == typeof(TimeSpan) => Create<TimeSpan>(context, column),
            _ when item.RawType == typeof(DateTimeOffset) => Create<DateTimeOffset>(context, column),
            _ when item.RawType == typeof(DataViewRowId) => Create<DataViewRowId>(context, column),
            _ => throw new NotSupportedException($"Column '{column.Name}': the public schema route has no holder for {column.ItemType}."),
        };
    }

    private static SchemaShape.Column Create<T>(MLContext context, OutputColumn column)
    {
        bool vector = column.Kind != SchemaShape.Column.VectorKind.Scalar;
        PrimitiveDataViewType item = column.IsKey ? new KeyDataViewType(typeof(T), 1) : (PrimitiveDataViewType)column.ItemType;
        DataViewType type = !vector ? item
            : column.Kind == SchemaShape.Column.VectorKind.Vector ? new VectorDataViewType(item, 1) : new VectorDataViewType(item);
        SchemaDefinition definition = SchemaDefinition.Create(typeof(Holder<T>), SchemaDefinition.Direction.Write);
        definition.RemoveAll(c => c.MemberName != (vector ? nameof(Holder<T>.Values) : nameof(Holder<T>.Value)));
        SchemaDefinition.Column only = definition[0];
        only.ColumnName = column.Name;
        only.ColumnType = type;
        foreach (string kind in column.TextVectorAnnotations)
        {
            // Slot names and key values are fixed-size text vectors; sizes do not reach a schema shape, so one slot stands for any.
            var values = new VBuffer<ReadOnlyMemory<char>>(1, ["0".AsMemory()]);
            only.AddAnnotation(kind, values, new VectorDataViewType(TextDataViewType.Instance, 1));
        }

        var oracle = context.Transforms.CustomMapping<NoInput, Holder<T>>((_, _) => { }, contractName: null, outputSchemaDefinition: definition);
        return oracle.GetOutputSchema(new SchemaShape([])).Single(c => c.Name == column.Name);
    }

    /// <summary>The oracle's input: no columns.</summary>
    private sealed class NoInput
    {
    }

    /// <summary>The oracle's output: a scalar and a vector of one item type; the definition keeps the one asked for.</summary>
    private sealed class Holder<T>
    {
#pragma warning disable CS0649 // Never assigned: only its shape is read.
        public T? Value;
        public T[]? Values;
#pragma warning restore CS0649
    }
}
