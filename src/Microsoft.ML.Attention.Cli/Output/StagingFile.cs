namespace Microsoft.ML.Attention.Cli.Output;

/// <summary>
/// A file written in full or not at all: a hidden sibling that <see cref="Commit"/> moves over the target and that
/// disposing without a commit deletes.
/// </summary>
internal sealed class StagingFile : IDisposable
{
    private bool _committed;

    /// <summary>Creates the sibling of <paramref name="target"/>.</summary>
    /// <exception cref="CliException">The target's folder does not exist.</exception>
    public StagingFile(string target)
    {
        Target = System.IO.Path.GetFullPath(target);
        string folder = System.IO.Path.GetDirectoryName(Target) ?? ".";
        if (!Directory.Exists(folder))
        {
            throw new CliException($"--output: the folder '{folder}' does not exist.");
        }

        Path = System.IO.Path.Combine(folder, $".{System.IO.Path.GetFileName(Target)}.{Guid.NewGuid():N}.tmp");
    }

    /// <summary>The file to write.</summary>
    public string Path { get; }

    /// <summary>Where it ends up.</summary>
    public string Target { get; }

    /// <summary>Moves the written file over the target.</summary>
    public void Commit()
    {
        File.Move(Path, Target, overwrite: true);
        _committed = true;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (!_committed && File.Exists(Path))
        {
            File.Delete(Path);
        }
    }
}
