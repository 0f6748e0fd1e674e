using Microsoft.ML.Data;
using Microsoft.ML.Attention.Transforms;

namespace Microsoft.ML;

/// <summary>
/// Saving and loading whole models that hold the pack's transformers, on <c>mlContext.Model</c>. ML.NET's own
/// <c>Model.Save</c> can only write ML.NET's transformers; these methods write one zip for a whole fitted chain:
/// ML.NET's transformers through ML.NET's <c>Model.Save</c> (one entry each), the pack's transformers as versioned
/// settings, safetensors weights and vocabulary, and a manifest with the chain's structure, scopes and a SHA-256 of
/// every entry. Models without any pack transformer can be saved this way too.
/// </summary>
public static class AttentionModelOperations
{
    /// <summary>
    /// Saves <paramref name="model"/> and its input schema to <paramref name="filePath"/>. The file is written beside the
    /// target and moved over it only when complete, so a save that fails leaves an existing file intact.
    /// </summary>
    /// <param name="catalog">The model operations catalog (<c>mlContext.Model</c>).</param>
    /// <param name="model">The fitted model: a transformer or a (nested) <see cref="TransformerChain{TLastTransformer}"/>.</param>
    /// <param name="inputSchema">The schema of the data the model was fitted on (as for <c>Model.Save</c>), or null.</param>
    /// <param name="filePath">The file to write.</param>
    public static void SaveWithAttention(this ModelOperationsCatalog catalog, ITransformer model, DataViewSchema? inputSchema, string filePath)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrWhiteSpace(filePath);
        string full = Path.GetFullPath(filePath);
        string directory = Path.GetDirectoryName(full) ?? ".";
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"Cannot save the model to '{filePath}': the directory '{directory}' does not exist.");
        }

        string temp = Path.Combine(directory, "." + Path.GetFileName(full) + "." + Guid.NewGuid().ToString("N") + ".tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                new AttentionModelWriter(catalog).Write(model, inputSchema, stream);
                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    /// <summary>Saves <paramref name="model"/> and its input schema to a writable stream.</summary>
    /// <param name="catalog">The model operations catalog (<c>mlContext.Model</c>).</param>
    /// <param name="model">The fitted model.</param>
    /// <param name="inputSchema">The schema of the data the model was fitted on, or null.</param>
    /// <param name="stream">A writable stream; it is left open.</param>
    public static void SaveWithAttention(this ModelOperationsCatalog catalog, ITransformer model, DataViewSchema? inputSchema, Stream stream)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanWrite)
        {
            throw new ArgumentException("The stream must be writable.", nameof(stream));
        }

        new AttentionModelWriter(catalog).Write(model, inputSchema, stream);
    }

    /// <summary>Loads a model written by <see cref="SaveWithAttention(ModelOperationsCatalog, ITransformer, DataViewSchema?, string)"/>.</summary>
    /// <param name="catalog">The model operations catalog (<c>mlContext.Model</c>).</param>
    /// <param name="filePath">The model file.</param>
    /// <param name="inputSchema">The saved input schema, or null if none was saved.</param>
    /// <returns>The model: chains come back as <see cref="TransformerChain{TLastTransformer}"/> of <see cref="ITransformer"/> with their scopes.</returns>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="InvalidDataException">The file is damaged or is not a model file; the message says what is wrong.</exception>
    /// <exception cref="NotSupportedException">The file was written by a newer format version of the pack.</exception>
    public static ITransformer LoadWithAttention(this ModelOperationsCatalog catalog, string filePath, out DataViewSchema? inputSchema)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentException.ThrowIfNullOrWhiteSpace(filePath);
        if (!File.Exists(filePath))
        {
            throw new FileNotFoundException($"The model file '{filePath}' does not exist.", filePath);
        }

        using var stream = new FileStream(filePath, FileMode.Open, FileAccess.Read, FileShare.Read);
        return new AttentionModelReader(catalog, filePath).Read(stream, out inputSchema);
    }

    /// <summary>Loads a model written by <see cref="SaveWithAttention(ModelOperationsCatalog, ITransformer, DataViewSchema?, Stream)"/>.</summary>
    /// <param name="catalog">The model operations catalog (<c>mlContext.Model</c>).</param>
    /// <param name="stream">A readable stream; it is left open.</param>
    /// <param name="inputSchema">The saved input schema, or null if none was saved.</param>
    /// <exception cref="InvalidDataException">The data is damaged or is not a model file.</exception>
    /// <exception cref="NotSupportedException">The data was written by a newer format version of the pack.</exception>
    public static ITransformer LoadWithAttention(this ModelOperationsCatalog catalog, Stream stream, out DataViewSchema? inputSchema)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanRead)
        {
            throw new ArgumentException("The stream must be readable.", nameof(stream));
        }

        return new AttentionModelReader(catalog, "(stream)").Read(stream, out inputSchema);
    }
}
