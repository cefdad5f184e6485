namespace Ebpf.ProtocolTracing.Tracking;

/// <summary>
/// How the tracker tells its connections apart: a kernel connection carries up to two streams of
/// bytes — the socket's own, and the plaintext a TLS library handled for it (<paramref name="Encrypted"/>) —
/// and each is parsed on its own so that ciphertext never reaches a parser fed plaintext.
/// </summary>
/// <param name="Id">The kernel connection.</param>
/// <param name="Encrypted">The TLS plaintext of the connection rather than its socket bytes.</param>
internal readonly record struct TrackedConnectionKey(ConnectionId Id, bool Encrypted);
