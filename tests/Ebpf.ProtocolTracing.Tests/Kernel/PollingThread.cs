using Ebpf.ProtocolTracing.Kernel;

namespace Ebpf.ProtocolTracing.Tests.Kernel;

/// <summary>Polls a reader on its own thread, as the tracer does, until disposed.</summary>
internal sealed class PollingThread : IDisposable
{
    private readonly Thread thread;
    private volatile bool stopping;
    private Exception? failure;

    public PollingThread(IEventReader reader)
    {
        thread = new Thread(() =>
        {
            try
            {
                while (!stopping)
                {
                    reader.Poll(20);
                }
            }
            catch (Exception e)
            {
                failure = e;
            }
        })
        { IsBackground = true, Name = "kernel event reader" };
        thread.Start();
    }

    public void Dispose()
    {
        stopping = true;
        thread.Join();
        if (failure is not null)
        {
            throw new InvalidOperationException("the reader failed", failure);
        }
    }
}
