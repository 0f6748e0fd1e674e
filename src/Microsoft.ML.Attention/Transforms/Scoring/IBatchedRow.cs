namespace Microsoft.ML.Attention.Transforms;

/// <summary>A row served from a scored block: its result was computed with the block's other rows.</summary>
/// <typeparam name="TResult">What the mapper computes for one row.</typeparam>
internal interface IBatchedRow<out TResult>
    where TResult : class
{
    /// <summary>The current row's result (the block is scored when the first of its results is asked for).</summary>
    TResult Result { get; }
}
