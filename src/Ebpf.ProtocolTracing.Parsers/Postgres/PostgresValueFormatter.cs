using System.Buffers.Binary;
using System.Globalization;

namespace Ebpf.ProtocolTracing.Postgres;

/// <summary>
/// Shows a bound parameter value as text: text-format values as they are, binary values of common
/// types decoded (the type from the statement's parameter OIDs), anything else as bounded hex.
/// See https://www.postgresql.org/docs/current/protocol-overview.html#PROTOCOL-FORMAT-CODES.
/// </summary>
internal static class PostgresValueFormatter
{
    private const uint Bool = 16;
    private const uint Bytea = 17;
    private const uint Name = 19;
    private const uint Int8 = 20;
    private const uint Int2 = 21;
    private const uint Int4 = 23;
    private const uint Text = 25;
    private const uint Oid = 26;
    private const uint Json = 114;
    private const uint Float4 = 700;
    private const uint Float8 = 701;
    private const uint Bpchar = 1042;
    private const uint Varchar = 1043;
    private const uint Date = 1082;
    private const uint Timestamp = 1114;
    private const uint TimestampTz = 1184;
    private const uint Uuid = 2950;
    private const uint Jsonb = 3802;

    /// <summary>Midnight 2000-01-01, PostgreSQL's epoch for dates and timestamps.</summary>
    private static readonly DateTime PostgresEpoch = new(2000, 1, 1, 0, 0, 0, DateTimeKind.Unspecified);

    /// <summary>Formats one value; <paramref name="complete"/> is false when the value was cut by the message head limit.</summary>
    public static string Format(ReadOnlySpan<byte> value, bool binary, uint typeOid, int maxChars, bool complete)
    {
        if (!binary)
        {
            string text = PostgresBodyReader.Decode(value, maxChars, out bool truncated);
            return truncated || !complete ? text + "…" : text;
        }

        if (complete && TryFormatBinary(value, typeOid, maxChars, out string? decoded))
        {
            return decoded;
        }

        return Hex(value, typeOid == Bytea ? "\\x" : "0x", maxChars, complete);
    }

    private static bool TryFormatBinary(ReadOnlySpan<byte> value, uint typeOid, int maxChars, out string text)
    {
        var invariant = CultureInfo.InvariantCulture;
        switch (typeOid)
        {
            case Bool when value.Length == 1:
                text = value[0] != 0 ? "true" : "false";
                return true;
            case Int2 when value.Length == 2:
                text = BinaryPrimitives.ReadInt16BigEndian(value).ToString(invariant);
                return true;
            case Int4 when value.Length == 4:
                text = BinaryPrimitives.ReadInt32BigEndian(value).ToString(invariant);
                return true;
            case Oid when value.Length == 4:
                text = BinaryPrimitives.ReadUInt32BigEndian(value).ToString(invariant);
                return true;
            case Int8 when value.Length == 8:
                text = BinaryPrimitives.ReadInt64BigEndian(value).ToString(invariant);
                return true;
            case Float4 when value.Length == 4:
                text = BinaryPrimitives.ReadSingleBigEndian(value).ToString("R", invariant);
                return true;
            case Float8 when value.Length == 8:
                text = BinaryPrimitives.ReadDoubleBigEndian(value).ToString("R", invariant);
                return true;
            case Text or Varchar or Bpchar or Name or Json:
                text = PostgresBodyReader.Decode(value, maxChars, out bool cut) + (cut ? "…" : "");
                return true;
            case Jsonb when value.Length >= 1 && value[0] == 1:
                text = PostgresBodyReader.Decode(value[1..], maxChars, out bool jsonCut) + (jsonCut ? "…" : "");
                return true;
            case Uuid when value.Length == 16:
                text = new Guid(value, bigEndian: true).ToString("D", invariant);
                return true;
            case Date when value.Length == 4:
                return TryFormatDate(BinaryPrimitives.ReadInt32BigEndian(value), out text);
            case Timestamp or TimestampTz when value.Length == 8:
                return TryFormatTimestamp(BinaryPrimitives.ReadInt64BigEndian(value), typeOid == TimestampTz, out text);
            default:
                text = "";
                return false;
        }
    }

    private static bool TryFormatDate(int days, out string text)
    {
        text = days switch
        {
            int.MaxValue => "infinity",
            int.MinValue => "-infinity",
            _ => "",
        };
        if (text.Length > 0)
        {
            return true;
        }

        // DateTime covers years 1..9999; dates outside it fall back to hex.
        if (days < -730_119 || days > 2_921_938)
        {
            return false;
        }

        text = PostgresEpoch.AddDays(days).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        return true;
    }

    private static bool TryFormatTimestamp(long microseconds, bool withZone, out string text)
    {
        if (microseconds == long.MaxValue || microseconds == long.MinValue)
        {
            text = microseconds > 0 ? "infinity" : "-infinity";
            return true;
        }

        long ticks = PostgresEpoch.Ticks + (microseconds * 10);
        if (microseconds is < -63_082_281_600_000_000L or > 252_455_615_999_999_999L || ticks < DateTime.MinValue.Ticks || ticks > DateTime.MaxValue.Ticks)
        {
            text = "";
            return false;
        }

        text = new DateTime(ticks, DateTimeKind.Unspecified).ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture) + (withZone ? "+00" : "");
        return true;
    }

    private static string Hex(ReadOnlySpan<byte> value, string prefix, int maxChars, bool complete)
    {
        int maxBytes = Math.Max(1, (maxChars - prefix.Length) / 2);
        bool truncated = value.Length > maxBytes || !complete;
        var shown = value.Length > maxBytes ? value[..maxBytes] : value;
        return prefix + Convert.ToHexStringLower(shown) + (truncated ? "…" : "");
    }
}
