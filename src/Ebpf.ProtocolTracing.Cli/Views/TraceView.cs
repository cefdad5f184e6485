namespace Ebpf.ProtocolTracing.Cli.Views;

/// <summary>How a run shows its records: as lines, as a live table, or as an endpoint summary.</summary>
internal abstract class TraceView : IDisposable
{
    /// <summary>Takes one record that passed the filters; called on the record loop's thread.</summary>
    public abstract void Add(ProtocolRecord record);

    /// <summary>Redraws periodically until <paramref name="stop"/> fires; views that print as they go return at once.</summary>
    /// <param name="statistics">The tracer's counters now, for the status line.</param>
    /// <param name="stop">Fires once every record has been added.</param>
    public virtual Task RunAsync(Func<TracerStatistics> statistics, CancellationToken stop) => Task.CompletedTask;

    /// <summary>Shows what is left to show once the run is over.</summary>
    public virtual void Finish(TracerStatistics statistics)
    {
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>Releases the view's output.</summary>
    protected virtual void Dispose(bool disposing)
    {
    }
}
