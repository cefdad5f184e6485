using System.Buffers.Binary;
using System.Globalization;

namespace Ebpf.ProtocolTracing.MySql;

/// <summary>
/// Decodes the parameters of a COM_STMT_EXECUTE from the binary protocol
/// (https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_com_stmt_execute.html,
/// https://dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_binary_resultset.html#sect_protocol_binary_resultset_row_value).
/// </summary>
internal static class MySqlParameterDecoder
{
    /// <summary>
    /// Decodes the parameters that follow the fixed part of an execute (command byte, statement id, flags,
    /// iteration count). Values that were not captured (the packet was cut) come out with a
    /// <see langword="null"/> value and not null.
    /// </summary>
    /// <param name="payload">The execute payload from its command byte on (possibly cut).</param>
    /// <param name="statement">The prepared statement: its parameter count and last bound types.</param>
    /// <param name="queryAttributes">Whether CLIENT_QUERY_ATTRIBUTES was agreed (a parameter count precedes the bitmap).</param>
    /// <param name="options">Limits.</param>
    public static MySqlParameter[] Decode(ReadOnlySpan<byte> payload, MySqlPreparedStatement statement, bool queryAttributes, MySqlParserOptions options)
    {
        var reader = new MySqlPayloadReader(payload);
        reader.Skip(1 + 4);
        byte flags = reader.ReadByte();
        reader.Skip(4);
        int count = statement.ParameterCount;
        if (queryAttributes && (count > 0 || (flags & MySqlProtocol.ParameterCountAvailable) != 0))
        {
            // Query attributes come after the statement's own parameters; only those are decoded.
            ulong sent = reader.ReadLengthEncoded() ?? 0;
            count = (int)Math.Min(sent, (ulong)Math.Max(count, 0) + 1024);
        }

        if (count <= 0 || reader.Failed)
        {
            return [];
        }

        var nullBitmap = reader.ReadBytes((count + 7) / 8);
        bool newTypes = reader.ReadByte() == 1;
        if (reader.Failed)
        {
            return [];
        }

        int decoded = Math.Min(Math.Min(count, statement.ParameterCount), options.MaxParameters);
        if (newTypes)
        {
            var types = new MySqlFieldType[count];
            var unsigned = new bool[count];
            for (int i = 0; i < count; i++)
            {
                types[i] = (MySqlFieldType)reader.ReadByte();
                unsigned[i] = (reader.ReadByte() & 0x80) != 0;
                if (queryAttributes)
                {
                    reader.ReadLengthEncodedBytes(); // the attribute name (empty for parameters)
                }
            }

            if (reader.Failed)
            {
                return [];
            }

            statement.Types = types;
            statement.Unsigned = unsigned;
        }

        var result = new MySqlParameter[decoded];
        var knownTypes = statement.Types;
        bool lost = false;
        for (int i = 0; i < decoded; i++)
        {
            var type = knownTypes is not null && i < knownTypes.Length ? knownTypes[i] : MySqlFieldType.Null;
            if ((nullBitmap[i / 8] & (1 << (i % 8))) != 0)
            {
                result[i] = new MySqlParameter(type, null, IsNull: true, 0, Truncated: false);
                continue;
            }

            if (i < 64 && (statement.LongDataParameters & (1UL << i)) != 0)
            {
                // Sent before with COM_STMT_SEND_LONG_DATA: the execute has no bytes for it.
                result[i] = new MySqlParameter(type, null, IsNull: false, 0, Truncated: true);
                continue;
            }

            if (lost || knownTypes is null)
            {
                // Without types (prepared before tracing, no types sent yet) the values cannot be delimited.
                result[i] = new MySqlParameter(type, null, IsNull: false, 0, Truncated: false);
                continue;
            }

            bool isUnsigned = statement.Unsigned is { } u && i < u.Length && u[i];
            result[i] = ReadValue(ref reader, type, isUnsigned, options, out lost);
        }

        return result;
    }

    private static MySqlParameter ReadValue(ref MySqlPayloadReader reader, MySqlFieldType type, bool isUnsigned, MySqlParserOptions options, out bool lost)
    {
        lost = false;
        int start = reader.Position;
        string? value;
        switch (type)
        {
            case MySqlFieldType.Null:
                return new MySqlParameter(type, null, IsNull: true, 0, Truncated: false);
            case MySqlFieldType.Tiny:
                {
                    byte b = reader.ReadByte();
                    value = isUnsigned ? Format(b) : Format((sbyte)b);
                    break;
                }

            case MySqlFieldType.Short:
            case MySqlFieldType.Year:
                {
                    ushort s = reader.ReadUInt16();
                    value = isUnsigned || type == MySqlFieldType.Year ? Format(s) : Format((short)s);
                    break;
                }

            case MySqlFieldType.Long:
            case MySqlFieldType.Int24:
                {
                    uint l = reader.ReadUInt32();
                    value = isUnsigned ? Format(l) : Format((int)l);
                    break;
                }

            case MySqlFieldType.LongLong:
                {
                    ulong l = reader.ReadUInt64();
                    value = isUnsigned ? Format(l) : Format((long)l);
                    break;
                }

            case MySqlFieldType.Float:
                value = BitConverter.Int32BitsToSingle((int)reader.ReadUInt32()).ToString("R", CultureInfo.InvariantCulture);
                break;
            case MySqlFieldType.Double:
                value = BitConverter.Int64BitsToDouble((long)reader.ReadUInt64()).ToString("R", CultureInfo.InvariantCulture);
                break;
            case MySqlFieldType.Date:
            case MySqlFieldType.DateTime:
            case MySqlFieldType.Timestamp:
                value = ReadDateTime(ref reader, type == MySqlFieldType.Date);
                break;
            case MySqlFieldType.Time:
                value = ReadTime(ref reader);
                break;
            default:
                return ReadString(ref reader, type, options, out lost);
        }

        if (reader.Failed)
        {
            lost = true;
            return new MySqlParameter(type, null, IsNull: false, 0, Truncated: true);
        }

        return new MySqlParameter(type, value, IsNull: false, reader.Position - start, Truncated: false);
    }

    private static MySqlParameter ReadString(ref MySqlPayloadReader reader, MySqlFieldType type, MySqlParserOptions options, out bool lost)
    {
        ulong? length = reader.ReadLengthEncoded();
        if (length is not { } total)
        {
            lost = true;
            return new MySqlParameter(type, null, IsNull: false, 0, Truncated: true);
        }

        // The packet may have been cut (MaxPacketBytes): keep what is there and stop decoding after it.
        int available = (int)Math.Min(total, (ulong)reader.Remaining);
        var bytes = reader.ReadBytes(available);
        lost = (ulong)available < total;
        int kept = Math.Min(available, options.MaxParameterValueLength);
        var text = IsText(type) ? MySqlPayloadReader.Text(bytes, kept) : Convert.ToHexString(bytes[..kept]);
        return new MySqlParameter(type, text, IsNull: false, (long)Math.Min(total, long.MaxValue), Truncated: (ulong)kept < total);
    }

    private static bool IsText(MySqlFieldType type) => type is not (MySqlFieldType.Bit or MySqlFieldType.Geometry);

    private static string? ReadDateTime(ref MySqlPayloadReader reader, bool dateOnly)
    {
        int length = reader.ReadByte();
        var bytes = reader.ReadBytes(length);
        if (reader.Failed || length is not (0 or 4 or 7 or 11))
        {
            return null;
        }

        int year = length >= 4 ? BinaryPrimitives.ReadUInt16LittleEndian(bytes) : 0;
        int month = length >= 4 ? bytes[2] : 0;
        int day = length >= 4 ? bytes[3] : 0;
        if (dateOnly)
        {
            return string.Create(CultureInfo.InvariantCulture, $"{year:D4}-{month:D2}-{day:D2}");
        }

        int hour = length >= 7 ? bytes[4] : 0;
        int minute = length >= 7 ? bytes[5] : 0;
        int second = length >= 7 ? bytes[6] : 0;
        return length == 11
            ? string.Create(CultureInfo.InvariantCulture, $"{year:D4}-{month:D2}-{day:D2} {hour:D2}:{minute:D2}:{second:D2}.{BinaryPrimitives.ReadUInt32LittleEndian(bytes[7..]):D6}")
            : string.Create(CultureInfo.InvariantCulture, $"{year:D4}-{month:D2}-{day:D2} {hour:D2}:{minute:D2}:{second:D2}");
    }

    private static string? ReadTime(ref MySqlPayloadReader reader)
    {
        int length = reader.ReadByte();
        var bytes = reader.ReadBytes(length);
        if (reader.Failed || length is not (0 or 8 or 12))
        {
            return null;
        }

        if (length == 0)
        {
            return "00:00:00";
        }

        string sign = bytes[0] == 1 ? "-" : "";
        long hours = (BinaryPrimitives.ReadUInt32LittleEndian(bytes[1..]) * 24L) + bytes[5];
        return length == 12
            ? string.Create(CultureInfo.InvariantCulture, $"{sign}{hours:D2}:{bytes[6]:D2}:{bytes[7]:D2}.{BinaryPrimitives.ReadUInt32LittleEndian(bytes[8..]):D6}")
            : string.Create(CultureInfo.InvariantCulture, $"{sign}{hours:D2}:{bytes[6]:D2}:{bytes[7]:D2}");
    }

    private static string Format<T>(T value) where T : IFormattable => value.ToString(null, CultureInfo.InvariantCulture);
}
