using System.Text;

namespace Ebpf.ProtocolTracing.Nats;

/// <summary>
/// Decodes the kept start of an HPUB/HMSG header block: a <c>NATS/1.0 [status [description]]</c> line, then
/// <c>Name: value</c> lines (https://github.com/nats-io/nats-architecture-and-design/blob/main/adr/ADR-4.md).
/// A line cut by the keep limit is dropped.
/// </summary>
internal static class NatsHeaderBlock
{
    public static void Decode(ReadOnlySpan<byte> block, NatsFrame frame)
    {
        var headers = new List<KeyValuePair<string, string>>();
        bool first = true;
        while (true)
        {
            int end = block.IndexOf("\r\n"u8);
            if (end < 0)
            {
                break;
            }

            var line = block[..end];
            block = block[(end + 2)..];
            if (first)
            {
                first = false;
                if (!line.StartsWith("NATS/"u8))
                {
                    break;
                }

                int space = line.IndexOf((byte)' ');
                if (space > 0)
                {
                    var status = line[(space + 1)..].TrimStart((byte)' ');
                    int statusEnd = status.IndexOf((byte)' ');
                    frame.HeaderStatus = Encoding.ASCII.GetString(statusEnd < 0 ? status : status[..statusEnd]);
                }

                continue;
            }

            if (line.IsEmpty)
            {
                break;
            }

            int colon = line.IndexOf((byte)':');
            if (colon <= 0)
            {
                continue;
            }

            headers.Add(new KeyValuePair<string, string>(
                Encoding.UTF8.GetString(line[..colon].Trim((byte)' ')),
                Encoding.UTF8.GetString(line[(colon + 1)..].Trim((byte)' '))));
        }

        frame.Headers = headers;
    }
}
