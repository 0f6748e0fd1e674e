using System.Text;

namespace Microsoft.ML.Data
{
    /// <summary>
    /// Reads the lines of one stream from a byte offset to an end offset, tracking each line's start offset and number,
    /// and splits a line into fields (separators, optional quoting with doubled-quote escapes, optional trimming).
    /// </summary>
    internal sealed class TextFileReader : IDisposable
    {
        private readonly Stream _stream;
        private readonly long _end;
        private readonly byte[] _buffer = new byte[1 << 16];
        private int _bufferLength;
        private int _bufferPos;
        private long _bufferStart;
        private byte[] _lineBytes = new byte[256];

        /// <param name="start">Byte offset to start at; when not 0 the partial line at <paramref name="start"/> is skipped (it belongs to the previous range).</param>
        /// <param name="end">Lines starting at or after this offset are left to the next range.</param>
        public TextFileReader(Stream stream, long start, long end)
        {
            _stream = stream;
            _end = end;
            if (start > 0)
            {
                _stream.Seek(start - 1, SeekOrigin.Begin);
                _bufferStart = start - 1;
                // Skip to the first line that starts at or after 'start'.
                int b;
                while ((b = ReadByte()) >= 0 && b != '\n')
                {
                }
            }
            else if (stream.CanSeek)
            {
                _stream.Seek(0, SeekOrigin.Begin);
            }
            LineNumber = start == 0 ? 0 : -1;
        }

        /// <summary>1-based line number of the current line, or -1 when the reader started mid-file and does not know it.</summary>
        public long LineNumber { get; private set; }

        public long LineStart { get; private set; }

        private long Offset => _bufferStart + _bufferPos;

        private int ReadByte()
        {
            if (_bufferPos >= _bufferLength)
            {
                _bufferStart += _bufferLength;
                _bufferLength = _stream.Read(_buffer, 0, _buffer.Length);
                _bufferPos = 0;
                if (_bufferLength <= 0)
                {
                    _bufferLength = 0;
                    return -1;
                }
            }
            return _buffer[_bufferPos++];
        }

        /// <summary>Reads the next line (without its line break), or null at the end of the range.</summary>
        public string ReadLine()
        {
            long start = Offset;
            if (start >= _end)
                return null;
            int length = 0;
            int b;
            bool any = false;
            while ((b = ReadByte()) >= 0)
            {
                any = true;
                if (b == '\n')
                    break;
                if (length == _lineBytes.Length)
                    Array.Resize(ref _lineBytes, _lineBytes.Length * 2);
                _lineBytes[length++] = (byte)b;
            }
            if (!any)
                return null;
            if (length > 0 && _lineBytes[length - 1] == '\r')
                length--;
            int skip = start == 0 && length >= 3 && _lineBytes[0] == 0xEF && _lineBytes[1] == 0xBB && _lineBytes[2] == 0xBF ? 3 : 0;
            LineStart = start;
            if (LineNumber >= 0)
                LineNumber++;
            return Encoding.UTF8.GetString(_lineBytes, skip, length - skip);
        }

        public void Dispose() => _stream.Dispose();

        public static string[] ReadHeader(IMultiStreamSource source, TextLoader.Options options)
        {
            using var reader = new TextFileReader(source.Open(0), 0, long.MaxValue);
            string line = reader.ReadLine();
            if (line == null)
                return Array.Empty<string>();
            var fields = new LineFields();
            fields.Split(line, options, source.GetPathOrNull(0) ?? "stream 0", 1, 0);
            return Enumerable.Range(0, fields.Count).Select(i => fields.Text(i).ToString()).ToArray();
        }
    }

    /// <summary>The fields of one line: offsets into the line, or unescaped copies for quoted fields with escapes.</summary>
    internal sealed class LineFields
    {
        private int[] _starts = new int[16];
        private int[] _lengths = new int[16];
        private string[] _unescaped = new string[16];
        private string _line = "";

        public int Count { get; private set; }

        public ReadOnlyMemory<char> Text(int field)
            => _unescaped[field] != null ? _unescaped[field].AsMemory() : _line.AsMemory(_starts[field], _lengths[field]);

        public void Split(string line, TextLoader.Options options, string file, long lineNumber, long byteOffset)
        {
            _line = line;
            Count = 0;
            var separators = options.Separators;
            bool single = separators.Length == 1;
            char sep = separators[0];
            int i = 0;
            int n = line.Length;
            while (true)
            {
                if (Count == _starts.Length)
                {
                    Array.Resize(ref _starts, Count * 2);
                    Array.Resize(ref _lengths, Count * 2);
                    Array.Resize(ref _unescaped, Count * 2);
                }
                _unescaped[Count] = null;
                int start = i;
                if (options.TrimWhitespace)
                {
                    while (start < n && line[start] == ' ' && !(single ? sep == ' ' : Array.IndexOf(separators, ' ') >= 0))
                        start++;
                }
                if (options.AllowQuoting && start < n && line[start] == '"')
                {
                    var sb = (StringBuilder)null;
                    int j = start + 1;
                    int segment = j;
                    while (true)
                    {
                        if (j >= n)
                            throw new FormatException($"Malformed row in file '{file}', {Where(lineNumber, byteOffset)}: field {Count} has an opening quote and no closing quote.");
                        if (line[j] == '"')
                        {
                            if (j + 1 < n && line[j + 1] == '"')
                            {
                                sb ??= new StringBuilder();
                                sb.Append(line, segment, j - segment + 1);
                                j += 2;
                                segment = j;
                                continue;
                            }
                            break;
                        }
                        j++;
                    }
                    if (sb != null)
                    {
                        sb.Append(line, segment, j - segment);
                        _unescaped[Count] = sb.ToString();
                    }
                    _starts[Count] = start + 1;
                    _lengths[Count] = j - start - 1;
                    j++;
                    while (j < n && !IsSeparator(line[j], single, sep, separators))
                    {
                        if (!options.TrimWhitespace || line[j] != ' ')
                            throw new FormatException($"Malformed row in file '{file}', {Where(lineNumber, byteOffset)}: unexpected text after the closing quote of field {Count}.");
                        j++;
                    }
                    Count++;
                    if (j >= n)
                        return;
                    i = j + 1;
                    continue;
                }
                int k = start;
                while (k < n && !IsSeparator(line[k], single, sep, separators))
                    k++;
                int end = k;
                if (options.TrimWhitespace)
                {
                    while (end > start && line[end - 1] == ' ')
                        end--;
                }
                _starts[Count] = start;
                _lengths[Count] = end - start;
                Count++;
                if (k >= n)
                    return;
                i = k + 1;
            }
        }

        private static bool IsSeparator(char c, bool single, char sep, char[] separators)
            => single ? c == sep : Array.IndexOf(separators, c) >= 0;

        public static string Where(long lineNumber, long byteOffset)
            => lineNumber >= 0 ? $"line {lineNumber}" : $"the line at byte offset {byteOffset}";
    }
}
