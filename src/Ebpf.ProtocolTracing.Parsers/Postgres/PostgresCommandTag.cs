using System.Globalization;

namespace Ebpf.ProtocolTracing.Postgres;

/// <summary>Reads the row count out of a CommandComplete tag (e.g. <c>INSERT 0 5</c>, <c>SELECT 3</c>).</summary>
internal static class PostgresCommandTag
{
    /// <summary>Splits a tag into the rows it affected or returned.</summary>
    /// <param name="tag">The tag.</param>
    /// <param name="rowsAffected">Rows written by INSERT, UPDATE, DELETE, MERGE, COPY or MOVE.</param>
    /// <param name="rowsSelected">The count of SELECT or FETCH.</param>
    public static void Read(string tag, out long? rowsAffected, out long? rowsSelected)
    {
        rowsAffected = null;
        rowsSelected = null;
        int space = tag.IndexOf(' ', StringComparison.Ordinal);
        int lastSpace = tag.LastIndexOf(' ');
        if (space <= 0 || !long.TryParse(tag.AsSpan(lastSpace + 1), NumberStyles.None, CultureInfo.InvariantCulture, out long count))
        {
            return;
        }

        var verb = tag.AsSpan(0, space);
        if (verb is "INSERT" or "UPDATE" or "DELETE" or "MERGE" or "COPY" or "MOVE")
        {
            rowsAffected = count;
        }
        else if (verb is "SELECT" or "FETCH")
        {
            rowsSelected = count;
        }
    }
}
