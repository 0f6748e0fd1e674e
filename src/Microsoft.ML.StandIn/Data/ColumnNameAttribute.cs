namespace Microsoft.ML.Data
{
    /// <summary>The column name a field or property maps to (instead of its member name).</summary>
    [AttributeUsage(AttributeTargets.Field | AttributeTargets.Property, AllowMultiple = false, Inherited = true)]
    public sealed class ColumnNameAttribute : Attribute
    {
        public ColumnNameAttribute(string name)
        {
            Name = name;
        }

        internal string Name { get; }
    }
}
