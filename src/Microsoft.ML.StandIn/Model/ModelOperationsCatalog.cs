using System.IO.Compression;
using System.Text;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace Microsoft.ML
{
    /// <summary>Saving and loading models, and creating prediction engines.</summary>
    public sealed class ModelOperationsCatalog : IInternalCatalog
    {
        private readonly IHostEnvironment _env;

        internal ModelOperationsCatalog(IHostEnvironment env)
        {
            _env = env;
        }

        IHostEnvironment IInternalCatalog.Environment => _env;

        /// <summary>
        /// Saves a model with its input schema. The file is written to a temporary file beside the target and moved over
        /// it only when complete, so a save that fails midway leaves an existing file intact.
        /// </summary>
        public void Save(ITransformer model, DataViewSchema inputSchema, string filePath)
        {
            Contracts.CheckValue(model, nameof(model));
            Contracts.CheckNonEmpty(filePath, nameof(filePath));
            string full = Path.GetFullPath(filePath);
            string temp = Path.Combine(Path.GetDirectoryName(full) ?? ".", "." + Path.GetFileName(full) + "." + Guid.NewGuid().ToString("N") + ".tmp");
            try
            {
                using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
                    Save(model, inputSchema, stream);
                File.Move(temp, full, overwrite: true);
            }
            finally
            {
                if (File.Exists(temp))
                    File.Delete(temp);
            }
        }

        public void Save(ITransformer model, DataViewSchema inputSchema, Stream stream)
        {
            Contracts.CheckValue(model, nameof(model));
            Contracts.CheckValue(stream, nameof(stream));
            Contracts.CheckParam(stream.CanWrite, nameof(stream), "Must be writable");
            var chain = model as TransformerChain<ITransformer> ?? new TransformerChain<ITransformer>(model);
            using var archive = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
            WriteText(archive, ModelFormat.VersionEntry, ModelFormat.FormatLine + "\n");
            if (inputSchema != null)
            {
                var entry = archive.CreateEntry(ModelFormat.SchemaEntry, CompressionLevel.Fastest);
                using var s = entry.Open();
                using var w = new BinaryWriter(s, Encoding.UTF8);
                BinaryCodec.WriteSchema(w, inputSchema);
            }
            using var ctx = new ModelSaveContext(archive, ModelFormat.ModelDirectory);
            ((ICanSaveModel)chain).Save(ctx);
            ctx.Done();
        }

        public ITransformer Load(string filePath, out DataViewSchema inputSchema)
        {
            Contracts.CheckNonEmpty(filePath, nameof(filePath));
            if (!File.Exists(filePath))
                throw new FileNotFoundException($"The model file '{filePath}' does not exist.", filePath);
            using var stream = File.OpenRead(filePath);
            return Load(stream, filePath, out inputSchema);
        }

        public ITransformer Load(Stream stream, out DataViewSchema inputSchema)
        {
            Contracts.CheckValue(stream, nameof(stream));
            return Load(stream, "(stream)", out inputSchema);
        }

        private ITransformer Load(Stream stream, string name, out DataViewSchema inputSchema)
        {
            ZipArchive archive;
            try
            {
                archive = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
            }
            catch (InvalidDataException e)
            {
                throw ModelLoadContext.Corrupt(name, "it is not a readable zip archive (" + e.Message + ")");
            }
            using (archive)
            {
                try
                {
                    var version = archive.GetEntry(ModelFormat.VersionEntry) ?? throw ModelLoadContext.Corrupt(name, $"the entry '{ModelFormat.VersionEntry}' is missing");
                    string text;
                    using (var reader = new StreamReader(version.Open()))
                        text = reader.ReadToEnd().Trim();
                    if (text != ModelFormat.FormatLine)
                        throw ModelLoadContext.Corrupt(name, $"unsupported format '{text}' (this build reads '{ModelFormat.FormatLine}')");
                    inputSchema = null;
                    var schemaEntry = archive.GetEntry(ModelFormat.SchemaEntry);
                    if (schemaEntry != null)
                    {
                        using var s = schemaEntry.Open();
                        using var r = new BinaryReader(s, Encoding.UTF8);
                        inputSchema = BinaryCodec.ReadSchema(r, detail => ModelLoadContext.Corrupt(name, "input schema: " + detail));
                    }
                    using var ctx = ModelLoadContext.Open(archive, name, ModelFormat.ModelDirectory);
                    return ModelRegistry.LoadTransformer(_env, ctx);
                }
                catch (Exception e) when (e is EndOfStreamException || e is InvalidDataException || e is IOException && e is not FileNotFoundException)
                {
                    throw ModelLoadContext.Corrupt(name, e.Message);
                }
            }
        }

        public PredictionEngine<TSrc, TDst> CreatePredictionEngine<TSrc, TDst>(ITransformer transformer, bool ignoreMissingColumns = true,
            SchemaDefinition inputSchemaDefinition = null, SchemaDefinition outputSchemaDefinition = null)
            where TSrc : class
            where TDst : class, new()
        {
            Contracts.CheckValue(transformer, nameof(transformer));
            return new PredictionEngine<TSrc, TDst>(transformer, ignoreMissingColumns, inputSchemaDefinition, outputSchemaDefinition, null);
        }

        public PredictionEngine<TSrc, TDst> CreatePredictionEngine<TSrc, TDst>(ITransformer transformer, DataViewSchema inputSchema)
            where TSrc : class
            where TDst : class, new()
        {
            Contracts.CheckValue(transformer, nameof(transformer));
            Contracts.CheckValue(inputSchema, nameof(inputSchema));
            return new PredictionEngine<TSrc, TDst>(transformer, true, null, null, inputSchema);
        }

        public PredictionEngine<TSrc, TDst> CreatePredictionEngine<TSrc, TDst>(ITransformer transformer, PredictionEngineOptions options)
            where TSrc : class
            where TDst : class, new()
        {
            Contracts.CheckValue(transformer, nameof(transformer));
            Contracts.CheckValue(options, nameof(options));
            return new PredictionEngine<TSrc, TDst>(transformer, options.IgnoreMissingColumns, options.InputSchemaDefinition, options.OutputSchemaDefinition, null);
        }

        private static void WriteText(ZipArchive archive, string name, string text)
        {
            var entry = archive.CreateEntry(name, CompressionLevel.Fastest);
            using var writer = new StreamWriter(entry.Open(), new UTF8Encoding(false));
            writer.Write(text);
        }
    }
}
