namespace Ebpf.ProtocolTracing.Postgres;

/// <summary>
/// Reads the fields of an ErrorResponse or NoticeResponse: a field code byte and a string, until a 0.
/// See https://www.postgresql.org/docs/current/protocol-error-fields.html.
/// </summary>
internal static class PostgresErrorReader
{
    private const int MaxFieldChars = 1024;

    public static PostgresError Read(ReadOnlySpan<byte> body)
    {
        var reader = new PostgresBodyReader(body);
        string? severity = null;
        string? localizedSeverity = null;
        string sqlState = "";
        string message = "";
        string? detail = null;
        string? hint = null;
        while (reader.Remaining > 0)
        {
            byte code = reader.ReadByte();
            if (code == 0)
            {
                break;
            }

            var value = reader.ReadCStringBytes();
            switch (code)
            {
                case (byte)'V':
                    severity = PostgresBodyReader.Decode(value, 16, out _);
                    break;
                case (byte)'S':
                    localizedSeverity = PostgresBodyReader.Decode(value, 32, out _);
                    break;
                case (byte)'C':
                    sqlState = PostgresBodyReader.Decode(value, 5, out _);
                    break;
                case (byte)'M':
                    message = PostgresBodyReader.Decode(value, MaxFieldChars, out _);
                    break;
                case (byte)'D':
                    detail = PostgresBodyReader.Decode(value, MaxFieldChars, out _);
                    break;
                case (byte)'H':
                    hint = PostgresBodyReader.Decode(value, MaxFieldChars, out _);
                    break;
            }
        }

        return new PostgresError(severity ?? localizedSeverity ?? "", sqlState, message) { Detail = detail, Hint = hint };
    }
}
