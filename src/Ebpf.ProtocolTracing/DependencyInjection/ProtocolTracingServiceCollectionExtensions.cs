using Ebpf.ProtocolTracing;
using Ebpf.ProtocolTracing.Amqp;
using Ebpf.ProtocolTracing.Cassandra;
using Ebpf.ProtocolTracing.Dns;
using Ebpf.ProtocolTracing.Hosting;
using Ebpf.ProtocolTracing.Http;
using Ebpf.ProtocolTracing.Http2;
using Ebpf.ProtocolTracing.Kafka;
using Ebpf.ProtocolTracing.Memcached;
using Ebpf.ProtocolTracing.MySql;
using Ebpf.ProtocolTracing.Nats;
using Ebpf.ProtocolTracing.Parsing;
using Ebpf.ProtocolTracing.Postgres;
using Ebpf.ProtocolTracing.Redis;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers protocol tracing in a service collection.</summary>
public static class ProtocolTracingServiceCollectionExtensions
{
    /// <summary>
    /// Registers <see cref="IProtocolTracer"/>, its validated options, the built-in HTTP/1.x parser and a hosted
    /// service that attaches the probes when the host starts and detaches them when it stops.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Sets the tracer's options; may be called again through <c>services.Configure&lt;ProtocolTracingOptions&gt;</c>.</param>
    /// <returns>A builder to add parsers and configure the built-in ones.</returns>
    /// <remarks>
    /// Every registration is a <c>TryAdd</c>: register your own <see cref="IProtocolTracer"/> first to
    /// replace it. Calling this twice is harmless. Bad options fail host start with the option's name.
    /// </remarks>
    /// <example>
    /// <code>
    /// builder.Services.AddProtocolTracing(o => o.ProcessIds.Add(myServerPid));
    /// // later, in a BackgroundService:
    /// await foreach (var record in tracer.ReadRecordsAsync(stoppingToken))
    ///     logger.LogInformation("{Record}", record);
    /// </code>
    /// </example>
    public static IProtocolTracingBuilder AddProtocolTracing(this IServiceCollection services, Action<ProtocolTracingOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);

        var options = services.AddOptionsWithValidateOnStart<ProtocolTracingOptions>();
        if (configure is not null)
            options.Configure(configure);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ProtocolTracingOptions>, ProtocolTracingOptionsValidator>());

        services.AddOptions<HttpParserOptions>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IProtocolParser, HttpParser>(
            provider => new HttpParser(provider.GetRequiredService<IOptions<HttpParserOptions>>().Value)));
        services.AddOptions<PostgresParserOptions>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IProtocolParser, PostgresParser>(
            provider => new PostgresParser(provider.GetRequiredService<IOptions<PostgresParserOptions>>().Value)));
        services.AddOptions<MySqlParserOptions>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IProtocolParser, MySqlParser>(
            provider => new MySqlParser(provider.GetRequiredService<IOptions<MySqlParserOptions>>().Value)));
        services.AddOptions<RedisParserOptions>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IProtocolParser, RedisParser>(
            provider => new RedisParser(provider.GetRequiredService<IOptions<RedisParserOptions>>().Value)));
        services.AddOptions<Http2ParserOptions>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IProtocolParser, Http2Parser>(
            provider => new Http2Parser(provider.GetRequiredService<IOptions<Http2ParserOptions>>().Value)));
        services.AddOptions<NatsParserOptions>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IProtocolParser, NatsParser>(
            provider => new NatsParser(provider.GetRequiredService<IOptions<NatsParserOptions>>().Value)));
        services.AddOptions<MemcachedParserOptions>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IProtocolParser, MemcachedParser>(
            provider => new MemcachedParser(provider.GetRequiredService<IOptions<MemcachedParserOptions>>().Value)));
        services.AddOptions<KafkaParserOptions>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IProtocolParser, KafkaParser>(
            provider => new KafkaParser(provider.GetRequiredService<IOptions<KafkaParserOptions>>().Value)));
        services.AddOptions<CassandraParserOptions>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IProtocolParser, CassandraParser>(
            provider => new CassandraParser(provider.GetRequiredService<IOptions<CassandraParserOptions>>().Value)));
        services.AddOptions<DnsParserOptions>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IProtocolParser, DnsParser>(
            provider => new DnsParser(provider.GetRequiredService<IOptions<DnsParserOptions>>().Value)));
        services.AddOptions<AmqpParserOptions>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IProtocolParser, AmqpParser>(
            provider => new AmqpParser(provider.GetRequiredService<IOptions<AmqpParserOptions>>().Value)));

        services.TryAddSingleton<IProtocolTracer, ProtocolTracer>();
        services.AddHostedService<ProtocolTracingHostedService>();
        return new ProtocolTracingBuilder(services);
    }

    /// <summary>Configures the built-in HTTP/1.x parser (body bytes kept, secret redaction, limits).</summary>
    /// <param name="builder">The builder returned by <see cref="AddProtocolTracing"/>.</param>
    /// <param name="configure">Sets the parser's options.</param>
    /// <returns>The same builder.</returns>
    /// <example>
    /// <code>
    /// services.AddProtocolTracing().ConfigureHttp(o => o.MaxBodyBytes = 0);
    /// </code>
    /// </example>
    public static IProtocolTracingBuilder ConfigureHttp(this IProtocolTracingBuilder builder, Action<HttpParserOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.Configure(configure);
        return builder;
    }

    /// <summary>Configures the built-in PostgreSQL parser (statement and parameter limits, credential redaction).</summary>
    /// <param name="builder">The builder returned by <see cref="AddProtocolTracing"/>.</param>
    /// <param name="configure">Sets the parser's options.</param>
    /// <returns>The same builder.</returns>
    /// <example>
    /// <code>
    /// services.AddProtocolTracing().ConfigurePostgres(o => o.MaxParameterLength = 64);
    /// </code>
    /// </example>
    public static IProtocolTracingBuilder ConfigurePostgres(this IProtocolTracingBuilder builder, Action<PostgresParserOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.Configure(configure);
        return builder;
    }

    /// <summary>Configures the built-in Redis parser (argument and reply limits, secret redaction).</summary>
    /// <param name="builder">The builder returned by <see cref="AddProtocolTracing"/>.</param>
    /// <param name="configure">Sets the parser's options.</param>
    /// <returns>The same builder.</returns>
    /// <example>
    /// <code>
    /// services.AddProtocolTracing().ConfigureRedis(o => o.MaxArguments = 4);
    /// </code>
    /// </example>
    public static IProtocolTracingBuilder ConfigureRedis(this IProtocolTracingBuilder builder, Action<RedisParserOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.Configure(configure);
        return builder;
    }

    /// <summary>Configures the built-in NATS parser (payload and header bytes kept, limits, credential redaction).</summary>
    /// <param name="builder">The builder returned by <see cref="AddProtocolTracing"/>.</param>
    /// <param name="configure">Sets the parser's options.</param>
    /// <returns>The same builder.</returns>
    /// <example>
    /// <code>
    /// services.AddProtocolTracing().ConfigureNats(o => o.MaxPayloadBytes = 0);
    /// </code>
    /// </example>
    public static IProtocolTracingBuilder ConfigureNats(this IProtocolTracingBuilder builder, Action<NatsParserOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.Configure(configure);
        return builder;
    }

    /// <summary>Configures the built-in AMQP 0-9-1 parser (body bytes kept, limits, secret redaction).</summary>
    /// <param name="builder">The builder returned by <see cref="AddProtocolTracing"/>.</param>
    /// <param name="configure">Sets the parser's options.</param>
    /// <returns>The same builder.</returns>
    /// <example>
    /// <code>
    /// services.AddProtocolTracing().ConfigureAmqp(o => o.MaxBodyBytes = 0);
    /// </code>
    /// </example>
    public static IProtocolTracingBuilder ConfigureAmqp(this IProtocolTracingBuilder builder, Action<AmqpParserOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.Configure(configure);
        return builder;
    }

    /// <summary>Configures the built-in memcached parser (keys kept, limits).</summary>
    /// <param name="builder">The builder returned by <see cref="AddProtocolTracing"/>.</param>
    /// <param name="configure">Sets the parser's options.</param>
    /// <returns>The same builder.</returns>
    /// <example>
    /// <code>
    /// services.AddProtocolTracing().ConfigureMemcached(o => o.MaxKeys = 4);
    /// </code>
    /// </example>
    public static IProtocolTracingBuilder ConfigureMemcached(this IProtocolTracingBuilder builder, Action<MemcachedParserOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.Configure(configure);
        return builder;
    }

    /// <summary>Configures the built-in HTTP/2 and gRPC parser (limits, secret redaction, protobuf descriptor sets).</summary>
    /// <param name="builder">The builder returned by <see cref="AddProtocolTracing"/>.</param>
    /// <param name="configure">Sets the parser's options.</param>
    /// <returns>The same builder.</returns>
    /// <example>
    /// <code>
    /// services.AddProtocolTracing().ConfigureHttp2(o => o.ProtobufDescriptorSets.Add(File.ReadAllBytes("api.pb")));
    /// </code>
    /// </example>
    public static IProtocolTracingBuilder ConfigureHttp2(this IProtocolTracingBuilder builder, Action<Http2ParserOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        builder.Services.Configure(configure);
        return builder;
    }

    /// <summary>
    /// Adds a protocol parser that gets the same data path as the built-in ones. Adding the same parser
    /// type twice adds it once.
    /// </summary>
    /// <typeparam name="TParser">The parser; created once, as a singleton, by the container.</typeparam>
    /// <param name="builder">The builder returned by <see cref="AddProtocolTracing"/>.</param>
    /// <returns>The same builder.</returns>
    /// <example>
    /// <code>
    /// services.AddProtocolTracing(o => o.ParserPorts[9000] = "lineproto").AddParser&lt;LineProtocolParser&gt;();
    /// </code>
    /// </example>
    public static IProtocolTracingBuilder AddParser<TParser>(this IProtocolTracingBuilder builder)
        where TParser : class, IProtocolParser
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IProtocolParser, TParser>());
        return builder;
    }
}
