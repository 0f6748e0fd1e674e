namespace Microsoft.ML.Data
{
    /// <summary>A set of streams (usually files) that a loader reads in order.</summary>
    public interface IMultiStreamSource
    {
        int Count { get; }
        string GetPathOrNull(int index);
        Stream Open(int index);
        TextReader OpenTextReader(int index);
    }

    /// <summary>Files on disk as a stream source.</summary>
    public sealed class MultiFileSource : IMultiStreamSource
    {
        private readonly string[] _paths;

        public MultiFileSource(params string[] paths)
        {
            _paths = (paths ?? Array.Empty<string>()).Where(p => !string.IsNullOrEmpty(p)).ToArray();
        }

        public int Count => _paths.Length;

        public string GetPathOrNull(int index) => _paths[index];

        public Stream Open(int index)
        {
            string path = _paths[index];
            if (!File.Exists(path))
                throw new FileNotFoundException($"The data file '{path}' does not exist.", path);
            return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        }

        public TextReader OpenTextReader(int index) => new StreamReader(Open(index));
    }
}
