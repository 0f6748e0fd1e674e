using System.Reflection;

namespace Microsoft.ML.Data
{
    /// <summary>
    /// Writes and reads column types, values and schemas in the model format. Reading only ever produces the closed set
    /// of types below; an unknown code is a damaged file, never a type name to instantiate.
    /// </summary>
    internal static class BinaryCodec
    {
        private static readonly Type[] Raw = { typeof(float), typeof(double), typeof(sbyte), typeof(byte), typeof(short), typeof(ushort), typeof(int), typeof(uint), typeof(long), typeof(ulong) };
        private static readonly NumberDataViewType[] Numbers =
        {
            NumberDataViewType.Single, NumberDataViewType.Double, NumberDataViewType.SByte, NumberDataViewType.Byte, NumberDataViewType.Int16,
            NumberDataViewType.UInt16, NumberDataViewType.Int32, NumberDataViewType.UInt32, NumberDataViewType.Int64, NumberDataViewType.UInt64,
        };

        public static void WriteType(BinaryWriter w, DataViewType type)
        {
            switch (type)
            {
                case TextDataViewType:
                    w.Write((byte)1);
                    break;
                case BooleanDataViewType:
                    w.Write((byte)2);
                    break;
                case NumberDataViewType n:
                    w.Write((byte)3);
                    w.Write((byte)Array.IndexOf(Raw, n.RawType));
                    break;
                case KeyDataViewType k:
                    w.Write((byte)4);
                    w.Write((byte)Array.IndexOf(Raw, k.RawType));
                    w.Write(k.Count);
                    break;
                case VectorDataViewType v:
                    w.Write((byte)5);
                    WriteType(w, v.ItemType);
                    w.Write(v.Dimensions.Length);
                    foreach (int d in v.Dimensions)
                        w.Write(d);
                    break;
                default:
                    throw new NotSupportedException($"Column type {type} cannot be saved in a model.");
            }
        }

        public static DataViewType ReadType(BinaryReader r, Func<string, Exception> corrupt)
        {
            byte code = r.ReadByte();
            switch (code)
            {
                case 1:
                    return TextDataViewType.Instance;
                case 2:
                    return BooleanDataViewType.Instance;
                case 3:
                {
                    int i = r.ReadByte();
                    if (i >= Numbers.Length)
                        throw corrupt($"unknown number type code {i}");
                    return Numbers[i];
                }
                case 4:
                {
                    int i = r.ReadByte();
                    ulong count = r.ReadUInt64();
                    if (i >= Raw.Length || !KeyDataViewType.IsValidDataType(Raw[i]) || count == 0)
                        throw corrupt($"invalid key type (code {i}, count {count})");
                    return new KeyDataViewType(Raw[i], count);
                }
                case 5:
                {
                    if (ReadType(r, corrupt) is not PrimitiveDataViewType item)
                        throw corrupt("a vector's item type is not primitive");
                    int rank = r.ReadInt32();
                    if (rank < 0 || rank > 16)
                        throw corrupt($"invalid vector rank {rank}");
                    var dims = new int[rank];
                    for (int j = 0; j < rank; j++)
                    {
                        dims[j] = r.ReadInt32();
                        if (dims[j] < 0)
                            throw corrupt($"negative vector dimension {dims[j]}");
                    }
                    return rank == 0 ? new VectorDataViewType(item) : new VectorDataViewType(item, dims);
                }
                default:
                    throw corrupt($"unknown column type code {code}");
            }
        }

        public static void WriteSchema(BinaryWriter w, DataViewSchema schema)
        {
            w.Write(schema.Count);
            foreach (var column in schema)
            {
                w.Write(column.Name);
                WriteType(w, column.Type);
                WriteAnnotations(w, column.Annotations);
            }
        }

        public static DataViewSchema ReadSchema(BinaryReader r, Func<string, Exception> corrupt)
        {
            int count = r.ReadInt32();
            if (count < 0 || count > 1_000_000)
                throw corrupt($"invalid column count {count}");
            var builder = new DataViewSchema.Builder();
            for (int i = 0; i < count; i++)
            {
                string name = r.ReadString();
                var type = ReadType(r, corrupt);
                builder.AddColumn(name, type, ReadAnnotations(r, corrupt));
            }
            return builder.ToSchema();
        }

        /// <summary>Saves the annotations whose values are primitives or vectors of them (slot names, key values, flags).</summary>
        public static void WriteAnnotations(BinaryWriter w, DataViewSchema.Annotations annotations)
        {
            var savable = annotations.Schema.Where(c => !c.IsHidden && IsSavable(c.Type)).ToArray();
            w.Write(savable.Length);
            foreach (var column in savable)
            {
                w.Write(column.Name);
                WriteType(w, column.Type);
                var method = typeof(BinaryCodec).GetMethod(nameof(WriteAnnotationValue), BindingFlags.NonPublic | BindingFlags.Static).MakeGenericMethod(column.Type.RawType);
                method.Invoke(null, new object[] { w, annotations, column });
            }
        }

        private static bool IsSavable(DataViewType type)
            => type is PrimitiveDataViewType || type is VectorDataViewType;

        private static void WriteAnnotationValue<T>(BinaryWriter w, DataViewSchema.Annotations annotations, DataViewSchema.Column column)
        {
            T value = default;
            annotations.GetGetter<T>(column)(ref value);
            WriteValue(w, column.Type, value);
        }

        public static DataViewSchema.Annotations ReadAnnotations(BinaryReader r, Func<string, Exception> corrupt)
        {
            int count = r.ReadInt32();
            if (count < 0 || count > 1000)
                throw corrupt($"invalid annotation count {count}");
            if (count == 0)
                return null;
            var builder = new DataViewSchema.Annotations.Builder();
            for (int i = 0; i < count; i++)
            {
                string name = r.ReadString();
                var type = ReadType(r, corrupt);
                var method = typeof(BinaryCodec).GetMethod(nameof(ReadAnnotationValue), BindingFlags.NonPublic | BindingFlags.Static).MakeGenericMethod(type.RawType);
                try
                {
                    method.Invoke(null, new object[] { r, builder, name, type, corrupt });
                }
                catch (TargetInvocationException e) when (e.InnerException != null)
                {
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
                }
            }
            return builder.ToAnnotations();
        }

        private static void ReadAnnotationValue<T>(BinaryReader r, DataViewSchema.Annotations.Builder builder, string name, DataViewType type, Func<string, Exception> corrupt)
        {
            T value = ReadValue<T>(r, type, corrupt);
            builder.Add(name, type, (ValueGetter<T>)((ref T dst) => dst = BufferCopy.CopyInto(value, dst)));
        }

        public static void WriteValue<T>(BinaryWriter w, DataViewType type, T value)
        {
            if (type is VectorDataViewType vector)
            {
                var method = typeof(BinaryCodec).GetMethod(nameof(WriteVector), BindingFlags.NonPublic | BindingFlags.Static).MakeGenericMethod(vector.ItemType.RawType);
                method.Invoke(null, new object[] { w, value });
                return;
            }
            WritePrimitive(w, value);
        }

        private static void WriteVector<TItem>(BinaryWriter w, VBuffer<TItem> value)
        {
            var dense = new TItem[value.Length];
            value.CopyTo(dense);
            w.Write(dense.Length);
            foreach (var item in dense)
                WritePrimitive(w, item);
        }

        public static T ReadValue<T>(BinaryReader r, DataViewType type, Func<string, Exception> corrupt)
        {
            if (type is VectorDataViewType vector)
            {
                var method = typeof(BinaryCodec).GetMethod(nameof(ReadVector), BindingFlags.NonPublic | BindingFlags.Static).MakeGenericMethod(vector.ItemType.RawType);
                try
                {
                    return (T)method.Invoke(null, new object[] { r, corrupt });
                }
                catch (TargetInvocationException e) when (e.InnerException != null)
                {
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
                    throw;
                }
            }
            return ReadPrimitive<T>(r);
        }

        private static VBuffer<TItem> ReadVector<TItem>(BinaryReader r, Func<string, Exception> corrupt)
        {
            int length = r.ReadInt32();
            if (length < 0 || length > r.BaseStream.Length - r.BaseStream.Position)
                throw corrupt($"invalid vector length {length}");
            var values = new TItem[length];
            for (int i = 0; i < length; i++)
                values[i] = ReadPrimitive<TItem>(r);
            return new VBuffer<TItem>(length, values);
        }

        public static void WritePrimitive<T>(BinaryWriter w, T value)
        {
            switch (value)
            {
                case ReadOnlyMemory<char> m: w.Write(m.ToString()); break;
                case bool b: w.Write(b); break;
                case float f: w.Write(f); break;
                case double d: w.Write(d); break;
                case sbyte sb: w.Write(sb); break;
                case byte by: w.Write(by); break;
                case short s: w.Write(s); break;
                case ushort us: w.Write(us); break;
                case int i: w.Write(i); break;
                case uint ui: w.Write(ui); break;
                case long l: w.Write(l); break;
                case ulong ul: w.Write(ul); break;
                default: throw new NotSupportedException($"Values of type {typeof(T).Name} cannot be saved in a model.");
            }
        }

        public static T ReadPrimitive<T>(BinaryReader r)
        {
            object v;
            if (typeof(T) == typeof(ReadOnlyMemory<char>)) v = r.ReadString().AsMemory();
            else if (typeof(T) == typeof(bool)) v = r.ReadBoolean();
            else if (typeof(T) == typeof(float)) v = r.ReadSingle();
            else if (typeof(T) == typeof(double)) v = r.ReadDouble();
            else if (typeof(T) == typeof(sbyte)) v = r.ReadSByte();
            else if (typeof(T) == typeof(byte)) v = r.ReadByte();
            else if (typeof(T) == typeof(short)) v = r.ReadInt16();
            else if (typeof(T) == typeof(ushort)) v = r.ReadUInt16();
            else if (typeof(T) == typeof(int)) v = r.ReadInt32();
            else if (typeof(T) == typeof(uint)) v = r.ReadUInt32();
            else if (typeof(T) == typeof(long)) v = r.ReadInt64();
            else if (typeof(T) == typeof(ulong)) v = r.ReadUInt64();
            else throw new NotSupportedException($"Values of type {typeof(T).Name} cannot be read from a model.");
            return (T)v;
        }

        public static void WriteFloats(BinaryWriter w, float[] values)
        {
            w.Write(values.Length);
            foreach (float v in values)
                w.Write(v);
        }

        public static float[] ReadFloats(BinaryReader r, Func<string, Exception> corrupt, int? expected = null)
        {
            int n = r.ReadInt32();
            if (n < 0 || (long)n * 4 > r.BaseStream.Length - r.BaseStream.Position || expected.HasValue && n != expected.Value)
                throw corrupt($"invalid float array length {n}" + (expected.HasValue ? $" (expected {expected})" : ""));
            var values = new float[n];
            for (int i = 0; i < n; i++)
                values[i] = r.ReadSingle();
            return values;
        }
    }
}
