namespace Microsoft.ML.Attention.Transforms;

/// <summary>The input columns a pack row mapper needs for the output columns asked for.</summary>
internal static class MapperDependencies
{
    /// <summary>
    /// The input columns among <paramref name="dependingColumns"/>, plus <paramref name="source"/> when any added column
    /// (from <paramref name="firstAdded"/> on) is asked for.
    /// </summary>
    public static IEnumerable<DataViewSchema.Column> Of(DataViewSchema inputSchema, IEnumerable<DataViewSchema.Column> dependingColumns, int firstAdded, DataViewSchema.Column source)
    {
        var wanted = dependingColumns.Select(c => c.Index).ToHashSet();
        var result = inputSchema.Where(c => wanted.Contains(c.Index)).ToList();
        if (wanted.Any(i => i >= firstAdded) && !result.Any(c => c.Index == source.Index))
        {
            result.Add(source);
        }

        return result;
    }
}
