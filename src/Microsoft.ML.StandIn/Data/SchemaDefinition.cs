using System.Reflection;

namespace Microsoft.ML.Data
{
    /// <summary>How the members of a class map to columns: names and types (inferred from the attributes, editable).</summary>
    public sealed class SchemaDefinition : List<SchemaDefinition.Column>
    {
        [Flags]
        public enum Direction
        {
            Read = 1,
            Write = 2,
            Both = Read | Write,
        }

        private SchemaDefinition()
        {
        }

        public Column this[string columnName]
        {
            get => this.FirstOrDefault(c => c.ColumnName == columnName)
                ?? throw new ArgumentOutOfRangeException(nameof(columnName), $"Column '{columnName}' is not in the schema definition.");
            set
            {
                int at = FindIndex(c => c.ColumnName == columnName);
                if (at < 0)
                    throw new ArgumentOutOfRangeException(nameof(columnName), $"Column '{columnName}' is not in the schema definition.");
                this[at] = value;
            }
        }

        public static SchemaDefinition Create(Type userType, Direction direction = Direction.Both)
        {
            if (userType == null)
                throw new ArgumentNullException(nameof(userType));
            var definition = new SchemaDefinition();
            foreach (var member in MemberAccess.ColumnMembers(userType, direction))
            {
                if (member.GetCustomAttribute<NoColumnAttribute>() != null)
                    continue;
                var memberType = MemberAccess.TypeOf(member);
                var name = member.GetCustomAttribute<ColumnNameAttribute>()?.Name ?? member.Name;
                var type = MemberAccess.InferType(userType, member, memberType);
                definition.Add(new Column(member.Name, type, name) { MemberType = memberType });
            }
            return definition;
        }

        /// <summary>One member-to-column mapping.</summary>
        public sealed class Column
        {
            public Column(string memberName, DataViewType columnType, string columnName = null)
            {
                MemberName = memberName ?? throw new ArgumentNullException(nameof(memberName));
                ColumnType = columnType;
                ColumnName = columnName ?? memberName;
            }

            public Column()
            {
            }

            public string MemberName { get; set; }
            public string ColumnName { get; set; }
            public DataViewType ColumnType { get; set; }

            internal Type MemberType { get; set; }
        }
    }
}
