namespace Microsoft.ML.Attention.Cli.Output;

/// <summary>
/// An output folder written in full or not at all: everything goes to a hidden sibling folder, which
/// <see cref="Commit"/> moves to the target (an existing target is moved aside first and deleted after); disposing
/// without a commit deletes the sibling, so a failed or cancelled command leaves no partial output.
/// </summary>
internal sealed class StagingDirectory : IDisposable
{
    private bool _committed;

    /// <summary>Creates the staging folder beside <paramref name="target"/>.</summary>
    /// <exception cref="CliException">The target's parent folder does not exist, or the target is a file.</exception>
    public StagingDirectory(string target)
    {
        Target = System.IO.Path.GetFullPath(target);
        string parent = System.IO.Path.GetDirectoryName(Target) ?? ".";
        if (!Directory.Exists(parent))
        {
            throw new CliException($"--output: the folder '{parent}' does not exist.");
        }

        if (File.Exists(Target))
        {
            throw new CliException($"--output: '{target}' is a file; name a folder.");
        }

        Path = System.IO.Path.Combine(parent, $".{System.IO.Path.GetFileName(Target)}.{Guid.NewGuid():N}.tmp");
        Directory.CreateDirectory(Path);
    }

    /// <summary>The folder to write into.</summary>
    public string Path { get; }

    /// <summary>Where the output ends up.</summary>
    public string Target { get; }

    /// <summary>Moves the staged folder to the target.</summary>
    public void Commit()
    {
        string? aside = null;
        if (Directory.Exists(Target))
        {
            aside = Target + $".{Guid.NewGuid():N}.old";
            Directory.Move(Target, aside);
        }

        Directory.Move(Path, Target);
        _committed = true;
        if (aside is not null)
        {
            Directory.Delete(aside, recursive: true);
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (!_committed && Directory.Exists(Path))
        {
            Directory.Delete(Path, recursive: true);
        }
    }
}
