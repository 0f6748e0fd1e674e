using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.Tests.Support;

/// <summary>
/// A third-party identity transformer that, like every external transformer, has nothing public to write in
/// <see cref="ICanSaveModel.Save"/>: ML.NET's <c>Model.Save</c> then fails ("ModelSignature not specified").
/// </summary>
public sealed class UnsaveableTransformer : ITransformer
{
    public bool IsRowToRowMapper => false;

    public DataViewSchema GetOutputSchema(DataViewSchema inputSchema) => inputSchema;

    public IRowToRowMapper GetRowToRowMapper(DataViewSchema inputSchema) => throw new NotSupportedException("Not a row-to-row mapper.");

    public IDataView Transform(IDataView input) => input;

    public void Save(ModelSaveContext ctx)
    {
    }
}
