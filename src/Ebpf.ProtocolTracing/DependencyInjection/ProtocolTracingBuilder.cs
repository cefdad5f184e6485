namespace Microsoft.Extensions.DependencyInjection;

internal sealed class ProtocolTracingBuilder(IServiceCollection services) : IProtocolTracingBuilder
{
    public IServiceCollection Services { get; } = services;
}
