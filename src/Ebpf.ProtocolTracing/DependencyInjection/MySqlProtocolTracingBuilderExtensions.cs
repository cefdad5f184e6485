using Ebpf.ProtocolTracing.MySql;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Configures the built-in MySQL/MariaDB parser registered by <c>AddProtocolTracing</c>.</summary>
public static class MySqlProtocolTracingBuilderExtensions
{
    /// <summary>Configures the MySQL/MariaDB parser (statement and parameter limits, redaction).</summary>
    /// <param name="builder">The builder returned by <c>AddProtocolTracing</c>.</param>
    /// <param name="configure">Sets the parser's options.</param>
    /// <returns>The same builder.</returns>
    /// <example>
    /// <code>
    /// services.AddProtocolTracing().ConfigureMySql(o => o.CaptureParameterValues = false);
    /// </code>
    /// </example>
    public static IProtocolTracingBuilder ConfigureMySql(this IProtocolTracingBuilder builder, Action<MySqlParserOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.Configure(configure);
        return builder;
    }
}
