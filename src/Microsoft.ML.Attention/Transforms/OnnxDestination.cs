namespace Microsoft.ML.Attention.Transforms;

/// <summary>The stream an <c>ExportToOnnx</c> writes to, checked before the graph is built.</summary>
internal static class OnnxDestination
{
    /// <summary>Throws unless <paramref name="destination"/> is a writable stream; <paramref name="method"/> names the caller.</summary>
    public static void Check(Stream destination, string method)
    {
        ArgumentNullException.ThrowIfNull(destination);
        if (!destination.CanWrite)
        {
            throw new ArgumentException($"{method}: the destination stream is not writable.", nameof(destination));
        }
    }
}
