namespace Microsoft.ML.Data
{
    /// <summary>Computes new columns of a row from columns of the same row (internal in ML.NET as well).</summary>
    internal interface IRowMapper
    {
        DataViewSchema.DetachedColumn[] GetOutputColumns();

        /// <summary>Which input columns (by index) the active output columns (by output index) need.</summary>
        Func<int, bool> GetDependencies(Func<int, bool> activeOutput);

        /// <summary>Getters for the active output columns, reading from <paramref name="input"/>.</summary>
        Delegate[] CreateGetters(DataViewRow input, Func<int, bool> activeOutput);
    }
}
