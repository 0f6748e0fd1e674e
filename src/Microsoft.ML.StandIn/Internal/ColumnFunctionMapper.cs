namespace Microsoft.ML.Data
{
    /// <summary>A row mapper built from independent output columns, each computed from some input columns.</summary>
    internal sealed class ColumnFunctionMapper : IRowMapper
    {
        private readonly OutputSpec[] _outputs;

        public ColumnFunctionMapper(IEnumerable<OutputSpec> outputs)
        {
            _outputs = outputs.ToArray();
        }

        internal sealed record OutputSpec(DataViewSchema.DetachedColumn Column, int[] InputIndices, Func<DataViewRow, Delegate> MakeGetter);

        public DataViewSchema.DetachedColumn[] GetOutputColumns() => _outputs.Select(o => o.Column).ToArray();

        public Func<int, bool> GetDependencies(Func<int, bool> activeOutput)
        {
            var needed = new HashSet<int>();
            for (int i = 0; i < _outputs.Length; i++)
            {
                if (activeOutput(i))
                    needed.UnionWith(_outputs[i].InputIndices);
            }
            return needed.Contains;
        }

        public Delegate[] CreateGetters(DataViewRow input, Func<int, bool> activeOutput)
        {
            var getters = new Delegate[_outputs.Length];
            for (int i = 0; i < _outputs.Length; i++)
            {
                if (activeOutput(i))
                    getters[i] = _outputs[i].MakeGetter(input);
            }
            return getters;
        }
    }
}
