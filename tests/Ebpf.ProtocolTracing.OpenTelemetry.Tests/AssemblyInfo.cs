// Every test listens to the one process-wide "Ebpf.ProtocolTracing" ActivitySource: in parallel,
// each test's exporter would also see the spans of the others.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
