using System.Linq.Expressions;
using System.Reflection;

namespace Microsoft.ML.Data
{
    /// <summary>
    /// Maps public fields and properties of a user's row class to column values and back, following ML.NET's rules
    /// (string as text, arrays as vectors, [VectorType] sizes, [KeyType] keys). Only members of the user's own type are
    /// touched; nothing is instantiated by name.
    /// </summary>
    internal static class MemberAccess
    {
        public static IEnumerable<MemberInfo> ColumnMembers(Type type, SchemaDefinition.Direction direction)
        {
            foreach (var field in type.GetFields(BindingFlags.Public | BindingFlags.Instance))
                yield return field;
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
            {
                if (property.GetIndexParameters().Length > 0)
                    continue;
                bool canRead = property.GetGetMethod() != null;
                bool canWrite = property.GetSetMethod() != null;
                if ((direction & SchemaDefinition.Direction.Read) != 0 && !canRead)
                    continue;
                if ((direction & SchemaDefinition.Direction.Write) != 0 && !canWrite)
                    continue;
                yield return property;
            }
        }

        public static Type TypeOf(MemberInfo member) => member switch
        {
            FieldInfo f => f.FieldType,
            PropertyInfo p => p.PropertyType,
            _ => throw new InvalidOperationException($"Member {member.Name} is neither a field nor a property."),
        };

        public static MemberInfo Find(Type type, string memberName)
            => (MemberInfo)type.GetField(memberName, BindingFlags.Public | BindingFlags.Instance)
               ?? type.GetProperty(memberName, BindingFlags.Public | BindingFlags.Instance)
               ?? throw new ArgumentOutOfRangeException(nameof(memberName), $"Type {type.Name} has no public field or property '{memberName}'.");

        public static DataViewType InferType(Type owner, MemberInfo member, Type memberType)
        {
            var key = member.GetCustomAttribute<KeyTypeAttribute>();
            var vector = member.GetCustomAttribute<VectorTypeAttribute>();
            Type itemType = memberType.IsArray ? memberType.GetElementType()
                : memberType.IsGenericType && memberType.GetGenericTypeDefinition() == typeof(VBuffer<>) ? memberType.GetGenericArguments()[0]
                : null;
            if (itemType == null)
            {
                if (vector != null)
                    throw new InvalidOperationException($"Member {owner.Name}.{member.Name} has [VectorType] but type {memberType.Name} is not an array or VBuffer.");
                return Primitive(owner, member, memberType, key);
            }
            var item = Primitive(owner, member, itemType, key);
            return vector == null || vector.Dims.Length == 0 ? new VectorDataViewType(item) : new VectorDataViewType(item, vector.Dims);
        }

        private static PrimitiveDataViewType Primitive(Type owner, MemberInfo member, Type type, KeyTypeAttribute key)
        {
            if (key != null)
            {
                if (!KeyDataViewType.IsValidDataType(type))
                    throw new InvalidOperationException($"Member {owner.Name}.{member.Name} has [KeyType] but type {type.Name} is not byte, ushort, uint or ulong.");
                return new KeyDataViewType(type, key.Count == 0 ? MaxKeyCount(type) : key.Count);
            }
            var result = PrimitiveFor(type);
            return result ?? throw new InvalidOperationException($"Member {owner.Name}.{member.Name} has type {type.Name}, which has no column type; use string, bool, a number type, an array or VBuffer of those, or mark it [NoColumn].");
        }

        private static ulong MaxKeyCount(Type type)
            => type == typeof(byte) ? byte.MaxValue : type == typeof(ushort) ? ushort.MaxValue : type == typeof(uint) ? uint.MaxValue : ulong.MaxValue;

        public static PrimitiveDataViewType PrimitiveFor(Type type)
        {
            if (type == typeof(string) || type == typeof(ReadOnlyMemory<char>))
                return TextDataViewType.Instance;
            if (type == typeof(bool))
                return BooleanDataViewType.Instance;
            if (type == typeof(float)) return NumberDataViewType.Single;
            if (type == typeof(double)) return NumberDataViewType.Double;
            if (type == typeof(sbyte)) return NumberDataViewType.SByte;
            if (type == typeof(byte)) return NumberDataViewType.Byte;
            if (type == typeof(short)) return NumberDataViewType.Int16;
            if (type == typeof(ushort)) return NumberDataViewType.UInt16;
            if (type == typeof(int)) return NumberDataViewType.Int32;
            if (type == typeof(uint)) return NumberDataViewType.UInt32;
            if (type == typeof(long)) return NumberDataViewType.Int64;
            if (type == typeof(ulong)) return NumberDataViewType.UInt64;
            if (type == typeof(DataViewRowId)) return RowIdDataViewType.Instance;
            return null;
        }

        public static Func<object, object> CompileGetter(MemberInfo member)
        {
            var obj = Expression.Parameter(typeof(object), "row");
            var typed = Expression.Convert(obj, member.DeclaringType);
            Expression access = member is FieldInfo f ? Expression.Field(typed, f) : Expression.Property(typed, (PropertyInfo)member);
            return Expression.Lambda<Func<object, object>>(Expression.Convert(access, typeof(object)), obj).Compile();
        }

        public static Action<object, object> CompileSetter(MemberInfo member)
        {
            if (member is PropertyInfo p && p.GetSetMethod() == null || member is FieldInfo fi && fi.IsInitOnly)
                return null;
            var obj = Expression.Parameter(typeof(object), "row");
            var value = Expression.Parameter(typeof(object), "value");
            var typed = Expression.Convert(obj, member.DeclaringType);
            Expression access = member is FieldInfo f ? Expression.Field(typed, f) : Expression.Property(typed, (PropertyInfo)member);
            var assign = Expression.Assign(access, Expression.Convert(value, TypeOf(member)));
            return Expression.Lambda<Action<object, object>>(assign, obj, value).Compile();
        }

        /// <summary>A getter of the column value of <paramref name="column"/> read from the current object.</summary>
        public static Delegate MakePeek(string columnName, DataViewType type, Func<object, object> get, Func<object> current)
        {
            var method = typeof(MemberAccess).GetMethod(nameof(Peek), BindingFlags.NonPublic | BindingFlags.Static).MakeGenericMethod(type.RawType);
            return (Delegate)method.Invoke(null, new object[] { columnName, type, get, current });
        }

        private static ValueGetter<TValue> Peek<TValue>(string columnName, DataViewType type, Func<object, object> get, Func<object> current)
        {
            var convert = ToColumn<TValue>(columnName, type);
            return (ref TValue dst) => convert(get(current()), ref dst);
        }

        private delegate void Converter<TValue>(object value, ref TValue dst);

        private static Converter<TValue> ToColumn<TValue>(string columnName, DataViewType type)
        {
            if (typeof(TValue) == typeof(ReadOnlyMemory<char>))
            {
                return (object value, ref TValue dst) =>
                {
                    ReadOnlyMemory<char> text = value switch { null => ReadOnlyMemory<char>.Empty, string s => s.AsMemory(), ReadOnlyMemory<char> m => m, _ => value.ToString().AsMemory() };
                    dst = (TValue)(object)text;
                };
            }
            if (type is VectorDataViewType vector)
            {
                var method = typeof(MemberAccess).GetMethod(nameof(VectorToColumn), BindingFlags.NonPublic | BindingFlags.Static).MakeGenericMethod(vector.ItemType.RawType);
                return (Converter<TValue>)method.Invoke(null, new object[] { columnName, vector });
            }
            return (object value, ref TValue dst) => dst = value == null ? default : (TValue)value;
        }

        private static Converter<VBuffer<TItem>> VectorToColumn<TItem>(string columnName, VectorDataViewType vector)
        {
            bool text = typeof(TItem) == typeof(ReadOnlyMemory<char>);
            return (object value, ref VBuffer<TItem> dst) =>
            {
                if (value is VBuffer<TItem> buffer)
                {
                    CheckSize(columnName, vector, buffer.Length);
                    buffer.CopyTo(ref dst);
                    return;
                }
                int length;
                if (text && value is string[] strings)
                {
                    length = strings.Length;
                    CheckSize(columnName, vector, length);
                    var editor = VBufferEditor.Create(ref dst, length);
                    for (int i = 0; i < length; i++)
                        editor.Values[i] = (TItem)(object)(strings[i] ?? "").AsMemory();
                    dst = editor.Commit();
                    return;
                }
                var array = (TItem[])value ?? Array.Empty<TItem>();
                length = array.Length;
                CheckSize(columnName, vector, length);
                var e = VBufferEditor.Create(ref dst, length);
                array.AsSpan().CopyTo(e.Values);
                dst = e.Commit();
            };
        }

        private static void CheckSize(string columnName, VectorDataViewType vector, int length)
        {
            if (vector.IsKnownSize && length != vector.Size)
                throw new InvalidOperationException($"Column '{columnName}' is declared as {vector} but a row has a vector of length {length}.");
        }

        /// <summary>Converts a column value to the member's type (text to string, vectors to arrays).</summary>
        public static Func<TValue, object> FromColumn<TValue>(Type memberType)
        {
            if (typeof(TValue) == typeof(ReadOnlyMemory<char>) && memberType == typeof(string))
                return v => ((ReadOnlyMemory<char>)(object)v).ToString();
            if (typeof(TValue).IsGenericType && typeof(TValue).GetGenericTypeDefinition() == typeof(VBuffer<>) && memberType.IsArray)
            {
                var item = typeof(TValue).GetGenericArguments()[0];
                var method = typeof(MemberAccess).GetMethod(nameof(VectorToArray), BindingFlags.NonPublic | BindingFlags.Static).MakeGenericMethod(item);
                var convert = (Func<object, Type, object>)method.CreateDelegate(typeof(Func<object, Type, object>));
                return v => convert(v, memberType);
            }
            if (typeof(TValue).IsGenericType && typeof(TValue).GetGenericTypeDefinition() == typeof(VBuffer<>) && memberType == typeof(TValue))
                return v => v;
            if (memberType == typeof(TValue))
                return v => v;
            throw new InvalidOperationException($"Cannot convert column values of type {typeof(TValue).Name} to a member of type {memberType.Name}.");
        }

        private static object VectorToArray<TItem>(object value, Type memberType)
        {
            var buffer = (VBuffer<TItem>)value;
            var dense = new TItem[buffer.Length];
            buffer.CopyTo(dense);
            if (typeof(TItem) == typeof(ReadOnlyMemory<char>) && memberType == typeof(string[]))
                return dense.Select(m => ((ReadOnlyMemory<char>)(object)m).ToString()).ToArray();
            return dense;
        }

        public static bool IsCompatibleMember(Type memberType, DataViewType columnType)
        {
            var raw = columnType.RawType;
            if (memberType == raw)
                return true;
            if (raw == typeof(ReadOnlyMemory<char>))
                return memberType == typeof(string);
            if (columnType is VectorDataViewType vector)
            {
                if (memberType.IsArray)
                {
                    var element = memberType.GetElementType();
                    return element == vector.ItemType.RawType || element == typeof(string) && vector.ItemType is TextDataViewType;
                }
                return false;
            }
            return false;
        }
    }
}
