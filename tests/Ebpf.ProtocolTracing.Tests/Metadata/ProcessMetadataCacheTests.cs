using System.Text;
using Ebpf.ProtocolTracing.Metadata;

namespace Ebpf.ProtocolTracing.Tests.Metadata;

public sealed class ProcessMetadataCacheTests
{
    [Fact]
    public void A_process_is_read_once_and_shared()
    {
        var reader = new CountingReader();
        var cache = new ProcessMetadataCache(reader);

        var first = cache.Get(10, 1000, Comm("curl"));
        var second = cache.Get(10, 1000, Comm("curl"));

        Assert.Same(first, second);
        Assert.Equal(1, reader.Reads);
        Assert.Equal("curl", first.Name);
        Assert.Equal("cmd 10", first.CommandLine);
        Assert.Equal("/bin/p10", first.ExecutablePath);
    }

    [Fact]
    public void An_exited_process_is_forgotten_and_a_later_one_with_its_pid_is_read_anew()
    {
        var reader = new CountingReader();
        var cache = new ProcessMetadataCache(reader);
        var exited = cache.Get(10, 1000, Comm("curl"));
        cache.Get(11, 1000, Comm("nginx"));

        Assert.False(cache.Forget(10, 999)); // another process that once had pid 10: not cached
        Assert.True(cache.Forget(10, 1000));
        Assert.False(cache.Forget(10, 1000));

        Assert.Equal(1, cache.Count);
        var reused = cache.Get(10, 2000, Comm("curl"));
        Assert.NotSame(exited, reused);
        Assert.Equal(3, reader.Reads);
        Assert.Same(cache.Get(11, 1000, Comm("nginx")), cache.Get(11, 1000, Comm("nginx")));
        Assert.Equal(3, reader.Reads);
    }

    [Fact]
    public void A_new_name_for_the_same_process_is_an_exec_and_is_read_again()
    {
        var reader = new CountingReader();
        var cache = new ProcessMetadataCache(reader);

        var before = cache.Get(10, 1000, Comm("bash"));
        reader.CommandLine = "python3 app.py";
        var after = cache.Get(10, 1000, Comm("python3"));

        Assert.Equal(2, reader.Reads);
        Assert.Equal("bash", before.Name);
        Assert.Equal("python3", after.Name);
        Assert.Equal("python3 app.py", after.CommandLine);
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public void A_reused_pid_with_a_new_start_time_is_another_process()
    {
        var reader = new CountingReader();
        var cache = new ProcessMetadataCache(reader);

        var old = cache.Get(10, 1000, Comm("curl"));
        var reused = cache.Get(10, 2000, Comm("curl"));

        Assert.NotSame(old, reused);
        Assert.Equal(2000UL, reused.StartTimeNs);
        Assert.Equal(2, reader.Reads);
    }

    [Fact]
    public void The_least_recently_used_process_goes_first_when_full()
    {
        var reader = new CountingReader();
        var cache = new ProcessMetadataCache(reader, capacity: 2);

        cache.Get(1, 1, Comm("a"));
        cache.Get(2, 2, Comm("b"));
        cache.Get(1, 1, Comm("a")); // 2 is now the least recently used
        cache.Get(3, 3, Comm("c"));
        Assert.Equal(3, reader.Reads);

        cache.Get(1, 1, Comm("a"));
        Assert.Equal(3, reader.Reads);
        cache.Get(2, 2, Comm("b"));
        Assert.Equal(4, reader.Reads);
        Assert.Equal(2, cache.Count);
    }

    [Fact]
    public void Exited_processes_are_swept_a_bounded_number_at_a_time()
    {
        var reader = new CountingReader();
        var cache = new ProcessMetadataCache(reader);
        for (var pid = 1; pid <= 20; pid++)
        {
            cache.Get(pid, (ulong)pid, Comm("p"));
        }

        reader.Exited.UnionWith(Enumerable.Range(1, 20));
        cache.SweepExited();
        Assert.Equal(20 - ProcessMetadataCache.SweepChecks, cache.Count);

        // Live processes stay: only 20 (the most recent) is alive among the rest.
        reader.Exited.Remove(20);
        cache.SweepExited();
        cache.SweepExited();
        Assert.Equal(1, cache.Count);
    }

    [Fact]
    public void Sweeps_run_by_themselves_as_processes_come_and_go()
    {
        var reader = new CountingReader();
        var cache = new ProcessMetadataCache(reader);
        const int processes = 1000;
        for (var pid = 1; pid <= processes; pid++)
        {
            cache.Get(pid, (ulong)pid, Comm("short"));
            reader.Exited.Add(pid);
        }

        // Every SweepEvery new entries, SweepChecks of the exited ones go.
        Assert.Equal(processes - (processes / ProcessMetadataCache.SweepEvery * ProcessMetadataCache.SweepChecks), cache.Count);
    }

    [Fact]
    public void Non_ascii_names_compare_by_their_text()
    {
        var reader = new CountingReader();
        var cache = new ProcessMetadataCache(reader);

        var first = cache.Get(5, 5, Comm("prøve"));
        var second = cache.Get(5, 5, Comm("prøve"));

        Assert.Same(first, second);
        Assert.Equal("prøve", first.Name);
    }

    private static byte[] Comm(string name)
    {
        var comm = new byte[16];
        Encoding.UTF8.GetBytes(name, comm);
        return comm;
    }

    private sealed class CountingReader : ProcessMetadataReader
    {
        public int Reads { get; private set; }

        public string? CommandLine { get; set; }

        public HashSet<int> Exited { get; } = [];

        public override ProcessMetadata Read(int pid, ulong startTimeNs)
        {
            Reads++;
            return new ProcessMetadata(CommandLine ?? $"cmd {pid}", $"/bin/p{pid}", null);
        }

        public override bool Exists(int pid) => !Exited.Contains(pid);
    }
}
