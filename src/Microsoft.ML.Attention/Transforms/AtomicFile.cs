namespace Microsoft.ML.Attention.Transforms;

/// <summary>Writes a file whole or not at all: into a temporary file beside it, then moved over the target.</summary>
internal static class AtomicFile
{
    internal static void WriteAllBytes(string path, byte[] bytes)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string full = Path.GetFullPath(path);
        string temporary = full + ".tmp-" + Guid.NewGuid().ToString("N");
        try
        {
            File.WriteAllBytes(temporary, bytes);
            File.Move(temporary, full, overwrite: true);
        }
        finally
        {
            File.Delete(temporary);
        }
    }
}
