using System.Diagnostics;
using Ebpf.ProtocolTracing.Metadata;

namespace Ebpf.ProtocolTracing.Tests.Metadata;

public sealed class ProcessMetadataReaderTests
{
    [Fact]
    public void A_running_process_has_its_command_line_and_executable()
    {
        using var sleep = Process.Start(new ProcessStartInfo("sleep", "30 31") { UseShellExecute = false })!;
        try
        {
            // /proc/<pid>/cmdline shows the new program only after exec; wait for it, bounded.
            var reader = new ProcessMetadataReader();
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
            var metadata = reader.Read(sleep.Id, startTimeNs: 0);
            while (metadata.CommandLine != "sleep 30 31" && DateTime.UtcNow < deadline)
            {
                Thread.Sleep(10);
                metadata = reader.Read(sleep.Id, startTimeNs: 0);
            }

            Assert.Equal("sleep 30 31", metadata.CommandLine);
            Assert.EndsWith("/sleep", metadata.ExecutablePath, StringComparison.Ordinal);
            Assert.True(reader.Exists(sleep.Id));
        }
        finally
        {
            sleep.Kill();
            sleep.WaitForExit();
        }
    }

    [Fact]
    public void A_start_time_that_does_not_match_means_the_pid_was_reused()
    {
        var metadata = new ProcessMetadataReader().Read(Environment.ProcessId, startTimeNs: 1);

        Assert.Same(ProcessMetadata.None, metadata);
    }

    [Fact]
    public void A_process_that_is_gone_has_nothing()
    {
        var reader = new ProcessMetadataReader();

        Assert.Same(ProcessMetadata.None, reader.Read(int.MaxValue, startTimeNs: 0));
        Assert.False(reader.Exists(int.MaxValue));
    }

    [Theory]
    [InlineData("1234 (nginx) S 1 1234 1234 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 10000000 200", 987654)]
    [InlineData("1234 (my (odd) name) R 1 1234 1234 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 42 10000000 200", 42)]
    public void The_start_time_is_field_22_even_when_the_name_has_spaces_and_parentheses(string stat, long expected)
    {
        Assert.True(ProcessMetadataReader.TryParseStartTicks(stat, out var ticks));
        Assert.Equal(expected, ticks);
    }

    [Fact]
    public void A_fake_proc_tree_is_read_with_the_cgroup_container()
    {
        var root = Directory.CreateTempSubdirectory("proc-");
        try
        {
            var pid = Directory.CreateDirectory(Path.Combine(root.FullName, "77"));
            File.WriteAllBytes(Path.Combine(pid.FullName, "cmdline"), "java\0-jar\0app.jar\0"u8.ToArray());
            File.WriteAllText(Path.Combine(pid.FullName, "cgroup"), "0::/system.slice/docker-" + new string('a', 64) + ".scope\n");

            var metadata = new ProcessMetadataReader(root.FullName).Read(77, startTimeNs: 0);

            Assert.Equal("java -jar app.jar", metadata.CommandLine);
            Assert.Null(metadata.ExecutablePath);
            Assert.Equal(new ContainerInfo(new string('a', 64), "docker"), metadata.Container);
        }
        finally
        {
            root.Delete(recursive: true);
        }
    }
}
