using Microsoft.ML.Data;

namespace Microsoft.ML.Runtime
{
    /// <summary>Argument checks and exceptions with ML.NET's types and messages (internal, as in ML.NET).</summary>
    internal static class Contracts
    {
        public static T CheckValue<T>(T value, string paramName) where T : class
            => value ?? throw new ArgumentNullException(paramName);

        public static void CheckNonEmpty(string value, string paramName)
        {
            if (string.IsNullOrEmpty(value))
                throw new ArgumentOutOfRangeException(paramName, $"{paramName} cannot be null or empty");
        }

        public static void CheckParam(bool condition, string paramName, string message = null)
        {
            if (!condition)
                throw new ArgumentOutOfRangeException(paramName, message ?? "Value out of range");
        }

        public static void CheckUserArg(bool condition, string name, string message)
        {
            if (!condition)
                throw new ArgumentOutOfRangeException(name, message);
        }

        public static void Check(bool condition, string message)
        {
            if (!condition)
                throw new InvalidOperationException(message);
        }

        public static Exception Except(string message) => new InvalidOperationException(message);

        public static Exception ExceptDecode(string message) => new FormatException(message);

        /// <summary>A missing column: names it and lists the columns that exist.</summary>
        public static Exception ExceptSchemaMismatch(string paramName, string columnRole, string columnName, IEnumerable<string> available = null)
        {
            string list = available == null ? "" : $" Columns in the schema: {string.Join(", ", available.Select(n => $"'{n}'"))}.";
            return new ArgumentOutOfRangeException(paramName, $"Could not find {columnRole} column '{columnName}'.{list}");
        }

        /// <summary>A column of the wrong type: names expected and found.</summary>
        public static Exception ExceptSchemaMismatch(string paramName, string columnRole, string columnName, string expectedType, string actualType)
            => new ArgumentOutOfRangeException(paramName, $"Schema mismatch for {columnRole} column '{columnName}': expected {expectedType}, got {actualType}");

        public static DataViewSchema.Column FindColumn(DataViewSchema schema, string paramName, string role, string name)
        {
            var column = schema.GetColumnOrNull(name);
            if (column == null)
                throw ExceptSchemaMismatch(paramName, role, name, schema.Where(c => !c.IsHidden).Select(c => c.Name));
            return column.Value;
        }

        public static SchemaShape.Column FindColumn(SchemaShape shape, string paramName, string role, string name)
        {
            if (!shape.TryFindColumn(name, out var column))
                throw ExceptSchemaMismatch(paramName, role, name, shape.Select(c => c.Name));
            return column;
        }
    }
}
