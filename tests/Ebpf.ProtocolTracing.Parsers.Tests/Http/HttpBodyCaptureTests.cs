using System.Runtime.InteropServices;
using Ebpf.ProtocolTracing.Http;

namespace Ebpf.ProtocolTracing.Parsers.Tests.Http;

/// <summary>
/// A body of unknown length is kept in an array sized for its first piece and grown for later ones: the
/// record holds that array, so a one-piece body must cost no more than its bytes, and a body in many
/// pieces must still be kept whole up to the limit.
/// </summary>
public sealed class HttpBodyCaptureTests
{
    [Fact]
    public void AOnePieceBody_IsKeptInAnArrayOfItsSize()
    {
        var capture = new HttpBodyCapture(limit: 4096);
        capture.Append("{\"ok\":true}"u8);

        Assert.True(MemoryMarshal.TryGetArray(capture.Kept, out var segment));
        Assert.Equal(11, segment.Array!.Length);
        Assert.Equal("{\"ok\":true}"u8.ToArray(), capture.Kept.ToArray());
        Assert.False(capture.Truncated);
    }

    [Theory]
    [InlineData(1, 4096)]
    [InlineData(7, 4096)]
    [InlineData(300, 4096)]
    [InlineData(1000, 2500)]
    [InlineData(100, 0)]
    public void ABodyInManyPieces_IsKeptWhole_UpToTheLimit(int pieceLength, int limit)
    {
        var capture = new HttpBodyCapture(limit);
        var sent = new List<byte>();
        for (var i = 0; i < 12; i++)
        {
            var piece = Enumerable.Range(0, pieceLength).Select(b => (byte)((i * 31) + b)).ToArray();
            sent.AddRange(piece);
            capture.Append(piece);
        }

        var expected = sent.Take(limit).ToArray();
        Assert.Equal(expected, capture.Kept.ToArray());
        Assert.Equal(sent.Count, capture.Size);
        Assert.Equal(sent.Count > limit, capture.Truncated);
    }

    [Fact]
    public void AReset_LeavesTheKeptBytesToWhoeverHoldsThem()
    {
        var capture = new HttpBodyCapture(limit: 64);
        capture.Append("first"u8);
        var kept = capture.Kept;
        capture.Reset();
        capture.Append("second body"u8);

        Assert.Equal("first"u8.ToArray(), kept.ToArray());
        Assert.Equal("second body"u8.ToArray(), capture.Kept.ToArray());
        Assert.Equal(11, capture.Size);
    }
}
