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
        (string member, DataViewType type) = Member(column);
        SchemaDefinition definition = SchemaDefinition.Create(typeof(Holder), SchemaDefinition.Direction.Write);
        definition.RemoveAll(c => c.MemberName != member);
        SchemaDefinition.Column only = definition[0];
        only.ColumnName = column.Name;
        only.ColumnType = type;
        if (column.HasSlotNames)
        {
            var names = new VBuffer<ReadOnlyMemory<char>>(1, ["0".AsMemory()]);
            only.AddAnnotation(OutputColumn.SlotNames, names, new VectorDataViewType(TextDataViewType.Instance, 1));
        }

        var oracle = context.Transforms.CustomMapping<NoInput, Holder>((_, _) => { }, contractName: null, outputSchemaDefinition: definition);
        return oracle.GetOutputSchema(new SchemaShape([])).Single(c => c.Name == column.Name);
    }

    /// <summary>The holder member of the column's .NET type, and the ML.NET type to declare for it (vector sizes do not reach a schema shape).</summary>
    private static (string Member, DataViewType Type) Member(OutputColumn c)
    {
        bool vector = c.Kind != SchemaShape.Column.VectorKind.Scalar;
        DataViewType Wrap(DataViewType item) => !vector ? item
            : c.Kind == SchemaShape.Column.VectorKind.Vector ? new VectorDataViewType((PrimitiveDataViewType)item, 1) : new VectorDataViewType((PrimitiveDataViewType)item);
        if (c.IsKey)
        {
            if (c.ItemType != NumberDataViewType.UInt32)
            {
                throw new NotSupportedException($"Column '{c.Name}': only UInt32 keys are supported by the public schema route, not {c.ItemType}.");
            }

            return (vector ? nameof(Holder.Keys) : nameof(Holder.Key), Wrap(new KeyDataViewType(typeof(uint), 1)));
        }

        string member = c.ItemType switch
        {
            TextDataViewType => vector ? nameof(Holder.Texts) : nameof(Holder.Text),
            BooleanDataViewType => vector ? nameof(Holder.Booleans) : nameof(Holder.Boolean),
            _ when c.ItemType == NumberDataViewType.Single => vector ? nameof(Holder.Singles) : nameof(Holder.Single),
            _ => throw new NotSupportedException($"Column '{c.Name}': the public schema route has no member for {c.ItemType}."),
        };
        return (member, Wrap(c.ItemType));
    }

    /// <summary>The oracle's input: no columns.</summary>
    private sealed class NoInput
    {
    }

    /// <summary>The oracle's output: one member of each supported .NET type; the definition keeps only the one asked for.</summary>
    private sealed class Holder
    {
#pragma warning disable CS0649 // Never assigned: only its shape is read.
        public float Single;
        public float[]? Singles;
        public ReadOnlyMemory<char> Text;
        public ReadOnlyMemory<char>[]? Texts;
        public bool Boolean;
        public bool[]? Booleans;
        public uint Key;
        public uint[]? Keys;
#pragma warning restore CS0649
    }
}
