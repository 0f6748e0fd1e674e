using Microsoft.ML.Data;

namespace Microsoft.ML.Attention.Transforms;

/// <summary>A row mapper that can also compute its added columns for a block of rows in one forward pass.</summary>
/// <typeparam name="TResult">What the mapper computes for one row.</typeparam>
internal interface IBatchRowMapper<TResult> : IRowToRowMapper
    where TResult : class
{
    /// <summary>Rows scored together; 1 scores row by row, as the mapper alone does.</summary>
    int BatchSize { get; }

    /// <summary>The results of the block's rows, in slot order.</summary>
    TResult[] Score(RowBlock rows);
}
