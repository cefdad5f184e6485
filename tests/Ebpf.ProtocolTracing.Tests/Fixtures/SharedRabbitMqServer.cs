namespace Ebpf.ProtocolTracing.Tests.Fixtures;

/// <summary>
/// One <see cref="RabbitMqServer"/> for all the tests of a class (a node takes seconds to boot), started by
/// the first test that asks for it — so a class whose tests are all skipped starts nothing — and stopped
/// when the class is done.
/// </summary>
public sealed class SharedRabbitMqServer : IAsyncLifetime
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private RabbitMqServer? _server;

    internal async Task<RabbitMqServer> GetAsync()
    {
        await _gate.WaitAsync();
        try
        {
            return _server ??= await RabbitMqServer.StartAsync();
        }
        finally
        {
            _gate.Release();
        }
    }

    Task IAsyncLifetime.InitializeAsync() => Task.CompletedTask;

    async Task IAsyncLifetime.DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }

        _gate.Dispose();
    }
}
