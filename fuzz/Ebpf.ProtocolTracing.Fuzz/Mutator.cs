namespace Ebpf.ProtocolTracing.Fuzz;

/// <summary>
/// Blind mutations of corpus entries (no coverage feedback): bit flips, interesting bytes, splices,
/// inserted and deleted runs. The fallback when AFL++ is not installed, and a quick smoke run in CI.
/// </summary>
internal sealed class Mutator
{
    private const int MaxInputLength = 64 * 1024;
    private static readonly byte[] Interesting = [0x00, 0x01, 0x0A, 0x0D, 0x20, 0x2D, 0x30, 0x39, 0x3A, 0x7F, 0x80, 0xFE, 0xFF];

    private readonly Random _random;

    public Mutator(int seed) => _random = new Random(seed);

    public byte[] Mutate(IReadOnlyList<byte[]> corpus)
    {
        var source = corpus.Count == 0 ? [0] : corpus[_random.Next(corpus.Count)];
        var data = new List<byte>(source);
        var rounds = 1 + _random.Next(8);
        for (int i = 0; i < rounds; i++)
        {
            MutateOnce(data, corpus);
        }

        if (data.Count > MaxInputLength)
        {
            data.RemoveRange(MaxInputLength, data.Count - MaxInputLength);
        }

        return [.. data];
    }

    private void MutateOnce(List<byte> data, IReadOnlyList<byte[]> corpus)
    {
        if (data.Count == 0)
        {
            data.Add((byte)_random.Next(256));
            return;
        }

        int at = _random.Next(data.Count);
        switch (_random.Next(8))
        {
            case 0:
                data[at] ^= (byte)(1 << _random.Next(8));
                break;
            case 1:
                data[at] = Interesting[_random.Next(Interesting.Length)];
                break;
            case 2:
                data[at] = (byte)_random.Next(256);
                break;
            case 3:
                data.RemoveRange(at, Math.Min(data.Count - at, 1 + _random.Next(16)));
                break;
            case 4:
                var run = new byte[1 + _random.Next(16)];
                _random.NextBytes(run);
                data.InsertRange(at, run);
                break;
            case 5:
                var copyFrom = _random.Next(data.Count);
                var copyLength = Math.Min(data.Count - copyFrom, 1 + _random.Next(64));
                data.InsertRange(at, data.GetRange(copyFrom, copyLength));
                break;
            case 6:
                if (corpus.Count > 0)
                {
                    var other = corpus[_random.Next(corpus.Count)];
                    var from = _random.Next(other.Length);
                    data.InsertRange(at, other.AsSpan(from, Math.Min(other.Length - from, 1 + _random.Next(256))).ToArray());
                }

                break;
            default:
                // Numbers in text protocols and length fields in binary ones: make one huge or negative.
                var digits = "9999999999999999999"u8.ToArray();
                data.InsertRange(at, digits.AsSpan(0, 1 + _random.Next(digits.Length)).ToArray());
                break;
        }
    }
}
