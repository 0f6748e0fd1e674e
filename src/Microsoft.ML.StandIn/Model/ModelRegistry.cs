using Microsoft.ML.Data;
using Microsoft.ML.Runtime;
using Microsoft.ML.Transforms;
using Microsoft.ML.Transforms.Text;
using Microsoft.ML.Trainers;

namespace Microsoft.ML
{
    /// <summary>
    /// The closed list of components a model file may name. A signature not in this list is refused; nothing is ever
    /// instantiated from a type or assembly name read from a file.
    /// </summary>
    internal static class ModelRegistry
    {
        private static readonly Dictionary<string, Func<IHostEnvironment, ModelLoadContext, ITransformer>> Loaders = new(StringComparer.Ordinal)
        {
            [TransformerChain<ITransformer>.LoaderSignature] = TransformerChain<ITransformer>.Load,
            [ColumnConcatenatingTransformer.LoaderSignature] = ColumnConcatenatingTransformer.Load,
            [ColumnCopyingTransformer.LoaderSignature] = ColumnCopyingTransformer.Load,
            [ColumnSelectingTransformer.LoaderSignature] = ColumnSelectingTransformer.Load,
            [ValueToKeyMappingTransformer.LoaderSignature] = ValueToKeyMappingTransformer.Load,
            [KeyToValueMappingTransformer.LoaderSignature] = KeyToValueMappingTransformer.Load,
            [WordTokenizingTransformer.LoaderSignature] = WordTokenizingTransformer.Load,
            [NormalizingTransformer.LoaderSignature] = NormalizingTransformer.Load,
            [LinearScorer.MulticlassSignature] = LinearScorer.LoadMulticlass,
            [LinearScorer.BinarySignature] = LinearScorer.LoadBinary,
        };

        public static ITransformer LoadTransformer(IHostEnvironment env, ModelLoadContext ctx)
        {
            if (!Loaders.TryGetValue(ctx.Signature, out var load))
                throw ctx.Corrupt($"unknown component signature '{ctx.Signature}'; this build can load: {string.Join(", ", Loaders.Keys)}");
            if (ctx.Version != 1)
                throw ctx.Corrupt($"version {ctx.Version} of '{ctx.Signature}' is not supported (this build reads version 1)");
            try
            {
                return load(env, ctx);
            }
            catch (EndOfStreamException)
            {
                throw ctx.Corrupt("its data is truncated");
            }
        }
    }
}
