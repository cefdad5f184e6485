using System.CommandLine;
using Ebpf.ProtocolTracing.Cli;

// Ctrl-C and SIGTERM are handled by TraceSession, which stops the tracer and exits with 0.
var invocation = new InvocationConfiguration { ProcessTerminationTimeout = null };
return await TraceCommand.Create().Parse(args).InvokeAsync(invocation).ConfigureAwait(false);
