using System.IO.Compression;
using System.Text;

namespace Microsoft.ML
{
    /// <summary>
    /// Where a component writes itself when a model is saved. As in ML.NET, every member but <see cref="Dispose"/> is
    /// internal: only the stand-in's own components can save themselves.
    /// </summary>
    public sealed class ModelSaveContext : IDisposable
    {
        private readonly ZipArchive _archive;
        private readonly MemoryStream _payload = new();

        internal ModelSaveContext(ZipArchive archive, string directory)
        {
            _archive = archive;
            Directory = directory;
            Writer = new BinaryWriter(_payload, Encoding.UTF8, leaveOpen: true);
        }

        internal string Directory { get; }
        internal BinaryWriter Writer { get; }
        internal string Signature { get; private set; }
        internal int Version { get; private set; }

        internal void SetVersionInfo(string signature, int version)
        {
            Signature = signature;
            Version = version;
        }

        /// <summary>Saves a child component under <c>{Directory}/{name}</c>.</summary>
        internal void SaveSubModel(string name, ICanSaveModel model)
        {
            using var child = new ModelSaveContext(_archive, Directory + "/" + name);
            model.Save(child);
            child.Done();
        }

        /// <summary>Writes this component's entry; a component that set no signature cannot be loaded, so saving fails.</summary>
        internal void Done()
        {
            if (Signature == null)
                throw new InvalidOperationException("ModelSignature not specified!");
            Writer.Flush();
            var entry = _archive.CreateEntry(Directory + "/Model.key", CompressionLevel.Fastest);
            using var stream = entry.Open();
            using var header = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
            header.Write(ModelFormat.ComponentMagic);
            header.Write(Signature);
            header.Write(Version);
            header.Write(_payload.Length);
            header.Flush();
            _payload.Position = 0;
            _payload.CopyTo(stream);
        }

        public void Dispose()
        {
            Writer.Dispose();
            _payload.Dispose();
        }
    }
}
