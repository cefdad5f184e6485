namespace Ebpf.ProtocolTracing.Parsers.Tests.Http;

/// <summary>
/// Valid traffic with random damage, fed round after round with the odd gap, to show that a parser never
/// throws and that what the tracker must hold for it stays bounded.
/// </summary>
internal static class MutatedTraffic
{
    /// <summary>Rounds fed by <see cref="FeedRounds"/>.</summary>
    public const int Rounds = 300;

    /// <summary>
    /// Feeds <see cref="Rounds"/> rounds of <paramref name="mutate"/>d <paramref name="client"/> bytes, then
    /// <paramref name="server"/> bytes, with a gap in one direction one round in ten; after each round asserts
    /// that neither stream holds more than 17 KiB, then runs <paramref name="checkRound"/> for the protocol's own bounds.
    /// </summary>
    public static void FeedRounds(ParserDriver driver, byte[] client, byte[] server, Random random, Func<byte[], Random, byte[]> mutate, Action? checkRound = null)
    {
        for (int round = 0; round < Rounds; round++)
        {
            driver.Feed(StreamDirection.Egress, mutate(client, random));
            driver.Feed(StreamDirection.Ingress, mutate(server, random));
            if (random.Next(10) == 0)
            {
                driver.Gap(random.Next(2) == 0 ? StreamDirection.Egress : StreamDirection.Ingress, random.Next(1, 100));
            }

            Assert.True(driver.Buffered(StreamDirection.Egress) <= 17 * 1024, "egress buffer unbounded");
            Assert.True(driver.Buffered(StreamDirection.Ingress) <= 17 * 1024, "ingress buffer unbounded");
            checkRound?.Invoke();
        }
    }

    /// <summary>A copy with up to three bytes overwritten at random, cut short one time in five.</summary>
    public static byte[] OverwriteOrTruncate(byte[] valid, Random random)
    {
        var bytes = (byte[])valid.Clone();
        int changes = random.Next(0, 4);
        for (int i = 0; i < changes; i++)
        {
            bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
        }

        return random.Next(5) == 0 ? bytes[..random.Next(bytes.Length)] : bytes;
    }
}
