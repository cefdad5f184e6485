namespace Microsoft.Extensions.DependencyInjection;

/// <summary>
/// Returned by <see cref="ProtocolTracingServiceCollectionExtensions.AddProtocolTracing"/> to add parsers
/// and configure the built-in ones.
/// </summary>
/// <example>
/// <code>
/// services.AddProtocolTracing(o => o.ParserPorts[9000] = "lineproto")
///         .AddParser&lt;LineProtocolParser&gt;();
/// </code>
/// </example>
public interface IProtocolTracingBuilder
{
    /// <summary>The services protocol tracing is registered in.</summary>
    IServiceCollection Services { get; }
}
