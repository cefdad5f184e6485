using Ebpf.ProtocolTracing.Metadata;

namespace Ebpf.ProtocolTracing.Tests.Metadata;

public sealed class CgroupContainerParserTests
{
    private const string Id = "3f4e5d6c7b8a99887766554433221100ffeeddccbbaa00112233445566778899";
    private const string PodUid = "2f0b3c61-8a5e-4f0e-9c3b-7d2a1e4b5c6d";
    private const string PodUidUnderscores = "2f0b3c61_8a5e_4f0e_9c3b_7d2a1e4b5c6d";

    [Theory]
    [InlineData("0::/system.slice/docker-" + Id + ".scope", "docker")]
    [InlineData("0::/docker/" + Id, "docker")]
    [InlineData("0::/system.slice/containerd.service/default/" + Id, "unknown")]
    [InlineData("0::/system.slice/nerdctl-" + Id + ".scope", "containerd")]
    [InlineData("0::/machine.slice/libpod-" + Id + ".scope/container", "podman")]
    public void Cgroup_v2_container_layouts_give_the_id_and_runtime(string file, string runtime)
    {
        var container = CgroupContainerParser.ParseFile(file + "\n");

        Assert.NotNull(container);
        Assert.Equal(Id, container.Id);
        Assert.Equal(runtime, container.Runtime);
        Assert.Null(container.PodUid);
    }

    [Fact]
    public void Cgroup_v1_docker_with_the_cgroupfs_driver()
    {
        var file = string.Join('\n',
            "12:pids:/docker/" + Id,
            "11:hugetlb:/docker/" + Id,
            "10:net_cls,net_prio:/docker/" + Id,
            "4:memory:/docker/" + Id,
            "3:cpu,cpuacct:/docker/" + Id,
            "1:name=systemd:/docker/" + Id,
            "0::/system.slice/containerd.service",
            "");

        var container = CgroupContainerParser.ParseFile(file);

        Assert.Equal(new ContainerInfo(Id, "docker"), container);
    }

    [Theory]
    [InlineData("0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + PodUidUnderscores + ".slice/cri-containerd-" + Id + ".scope", "containerd")]
    [InlineData("0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" + PodUidUnderscores + ".slice/crio-" + Id + ".scope", "cri-o")]
    [InlineData("0::/kubepods.slice/kubepods-pod" + PodUidUnderscores + ".slice/crio-" + Id + ".scope", "cri-o")]
    [InlineData("0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + PodUidUnderscores + ".slice/docker-" + Id + ".scope", "docker")]
    [InlineData("11:memory:/kubepods/besteffort/pod" + PodUid + "/" + Id, "unknown")]
    [InlineData("7:cpu,cpuacct:/kubepods/pod" + PodUid + "/" + Id, "unknown")]
    [InlineData("5:memory:/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + PodUidUnderscores + ".slice/cri-containerd-" + Id + ".scope", "containerd")]
    public void Kubernetes_layouts_give_the_pod_uid_with_dashes_and_the_container(string file, string runtime)
    {
        var container = CgroupContainerParser.ParseFile(file);

        Assert.NotNull(container);
        Assert.Equal(Id, container.Id);
        Assert.Equal(runtime, container.Runtime);
        Assert.Equal(PodUid, container.PodUid);
    }

    [Theory]
    [InlineData("0::/user.slice/user-1000.slice/session-3.scope\n")]
    [InlineData("0::/\n")]
    [InlineData("0::/system.slice/nginx.service\n")]
    [InlineData("0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + PodUidUnderscores + ".slice/crio-conmon-" + Id + ".scope\n")]
    [InlineData("0::/docker/3f4e5d6c7b8a99887766554433221100FFEEDDCCBBAA00112233445566778899\n")]
    [InlineData("0::/docker/3f4e5d6c7b8a9988776655443322110\n")]
    [InlineData("")]
    [InlineData("garbage without colons")]
    public void Host_processes_and_look_alikes_have_no_container(string file)
    {
        Assert.Null(CgroupContainerParser.ParseFile(file));
    }

    [Fact]
    public void The_v2_line_wins_over_v1_lines()
    {
        const string other = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
        var file = "4:memory:/docker/" + other + "\n0::/system.slice/docker-" + Id + ".scope\n";

        Assert.Equal(Id, CgroupContainerParser.ParseFile(file)?.Id);
    }

    [Fact]
    public void The_own_process_parses_without_throwing()
    {
        // Whatever this machine's layout, the real file must parse; on a host it yields no container.
        var text = File.ReadAllText("/proc/self/cgroup");
        var container = CgroupContainerParser.ParseFile(text);
        if (container is not null)
        {
            Assert.Equal(64, container.Id.Length);
        }
    }
}
