using System.Reflection;

namespace Microsoft.ML.Data
{
    /// <summary>The columns of a user's row class, with compiled accessors.</summary>
    internal sealed class RowClassBinding
    {
        public RowClassBinding(Type rowType, SchemaDefinition definition, SchemaDefinition.Direction direction, DataViewSchema schemaOverride = null)
        {
            RowType = rowType;
            definition ??= SchemaDefinition.Create(rowType, direction);
            var columns = new List<BoundColumn>();
            foreach (var column in definition)
            {
                var member = MemberAccess.Find(rowType, column.MemberName);
                var memberType = MemberAccess.TypeOf(member);
                var type = column.ColumnType ?? MemberAccess.InferType(rowType, member, memberType);
                if (schemaOverride?.GetColumnOrNull(column.ColumnName) is DataViewSchema.Column given)
                {
                    if (given.Type.RawType != type.RawType && !MemberAccess.IsCompatibleMember(memberType, given.Type))
                        throw new ArgumentOutOfRangeException(nameof(schemaOverride), $"Column '{column.ColumnName}' has type {given.Type} in the schema, which member {rowType.Name}.{member.Name} of type {memberType.Name} cannot hold.");
                    type = given.Type;
                }
                columns.Add(new BoundColumn(column.ColumnName, type, member, memberType,
                    (direction & SchemaDefinition.Direction.Read) != 0 ? MemberAccess.CompileGetter(member) : null,
                    (direction & SchemaDefinition.Direction.Write) != 0 ? MemberAccess.CompileSetter(member) : null,
                    schemaOverride?.GetColumnOrNull(column.ColumnName)?.Annotations));
            }
            Columns = columns;
            var builder = new DataViewSchema.Builder();
            foreach (var c in columns)
                builder.AddColumn(c.Name, c.Type, c.Annotations);
            Schema = builder.ToSchema();
        }

        public Type RowType { get; }
        public IReadOnlyList<BoundColumn> Columns { get; }
        public DataViewSchema Schema { get; }

        internal sealed record BoundColumn(string Name, DataViewType Type, MemberInfo Member, Type MemberType,
            Func<object, object> Get, Action<object, object> Set, DataViewSchema.Annotations Annotations);

        /// <summary>Fills a row object from a row: one assignment per bound column found in the row's schema.</summary>
        public Action<object> MakeFiller(DataViewRow row, bool ignoreMissingColumns)
        {
            var actions = new List<Action<object>>();
            foreach (var column in Columns)
            {
                var source = row.Schema.GetColumnOrNull(column.Name);
                if (source == null)
                {
                    if (ignoreMissingColumns)
                        continue;
                    throw new ArgumentOutOfRangeException(nameof(row), $"Column '{column.Name}' for member {RowType.Name}.{column.Member.Name} is not in the data. Columns present: {string.Join(", ", row.Schema.Where(c => !c.IsHidden).Select(c => $"'{c.Name}'"))}.");
                }
                if (column.Set == null)
                    throw new InvalidOperationException($"Member {RowType.Name}.{column.Member.Name} has no public setter.");
                if (!MemberAccess.IsCompatibleMember(column.MemberType, source.Value.Type))
                    throw new ArgumentOutOfRangeException(nameof(row), $"Can't bind the column '{column.Name}' of type {source.Value.Type} to member {RowType.Name}.{column.Member.Name} of type {column.MemberType.Name}.");
                var method = typeof(RowClassBinding).GetMethod(nameof(MakeAssign), BindingFlags.NonPublic | BindingFlags.Static).MakeGenericMethod(source.Value.Type.RawType);
                actions.Add((Action<object>)method.Invoke(null, new object[] { row, source.Value, column }));
            }
            var all = actions.ToArray();
            return obj =>
            {
                foreach (var a in all)
                    a(obj);
            };
        }

        private static Action<object> MakeAssign<TValue>(DataViewRow row, DataViewSchema.Column source, BoundColumn column)
        {
            var getter = row.GetGetter<TValue>(source);
            var convert = MemberAccess.FromColumn<TValue>(column.MemberType);
            bool isVBufferMember = column.MemberType == typeof(TValue) && typeof(TValue).IsGenericType;
            Func<object, object> copy = null;
            if (isVBufferMember)
            {
                // Copy so that the object does not alias the cursor's reused buffer.
                var method = typeof(RowClassBinding).GetMethod(nameof(CopyBuffer), BindingFlags.NonPublic | BindingFlags.Static)
                    .MakeGenericMethod(typeof(TValue).GetGenericArguments()[0]);
                copy = (Func<object, object>)method.CreateDelegate(typeof(Func<object, object>));
            }
            return obj =>
            {
                TValue value = default;
                getter(ref value);
                column.Set(obj, copy != null ? copy(value) : convert(value));
            };
        }

        private static object CopyBuffer<T>(object boxed)
        {
            var value = (VBuffer<T>)boxed;
            var copy = default(VBuffer<T>);
            value.CopyTo(ref copy);
            return copy;
        }
    }
}
