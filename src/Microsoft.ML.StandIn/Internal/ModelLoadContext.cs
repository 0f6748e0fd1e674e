using System.IO.Compression;
using System.Text;

namespace Microsoft.ML
{
    /// <summary>Reads one component of a saved model (internal in ML.NET as well).</summary>
    internal sealed class ModelLoadContext : IDisposable
    {
        private readonly ZipArchive _archive;
        private readonly string _file;

        private ModelLoadContext(ZipArchive archive, string file, string directory, string signature, int version, byte[] payload)
        {
            _archive = archive;
            _file = file;
            Directory = directory;
            Signature = signature;
            Version = version;
            Reader = new BinaryReader(new MemoryStream(payload, writable: false), Encoding.UTF8);
        }

        public string Directory { get; }
        public string Signature { get; }
        public int Version { get; }
        public BinaryReader Reader { get; }

        public static ModelLoadContext Open(ZipArchive archive, string file, string directory)
        {
            var entry = archive.GetEntry(directory + "/Model.key")
                ?? throw Corrupt(file, $"the entry '{directory}/Model.key' is missing");
            if (entry.Length > 1L << 31)
                throw Corrupt(file, $"the entry '{entry.FullName}' is too large");
            using var stream = entry.Open();
            using var reader = new BinaryReader(stream, Encoding.UTF8);
            try
            {
                if (reader.ReadUInt32() != ModelFormat.ComponentMagic)
                    throw Corrupt(file, $"the entry '{entry.FullName}' has no component header");
                string signature = reader.ReadString();
                int version = reader.ReadInt32();
                long length = reader.ReadInt64();
                if (length < 0 || length > entry.Length)
                    throw Corrupt(file, $"the entry '{entry.FullName}' declares {length} payload bytes but holds {entry.Length}");
                var payload = reader.ReadBytes((int)length);
                if (payload.Length != length)
                    throw Corrupt(file, $"the entry '{entry.FullName}' is truncated");
                return new ModelLoadContext(archive, file, directory, signature, version, payload);
            }
            catch (EndOfStreamException)
            {
                throw Corrupt(file, $"the entry '{entry.FullName}' is truncated");
            }
        }

        public ModelLoadContext OpenSubModel(string name) => Open(_archive, _file, Directory + "/" + name);

        public FormatException Corrupt(string detail) => Corrupt(_file, $"component '{Directory}' ({Signature}): {detail}");

        public static FormatException Corrupt(string file, string detail)
            => new FormatException($"The model file '{file}' is damaged or not a model: {detail}.");

        public void Dispose() => Reader.Dispose();
    }
}
