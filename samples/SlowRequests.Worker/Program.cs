using Samples.SlowRequests.Worker;

// A worker service that traces the host and logs every exchange slower than a configured threshold.
// Run as root: sudo dotnet run --project samples/SlowRequests.Worker
var builder = Host.CreateApplicationBuilder(args);
builder.Services.AddProtocolTracing();
builder.Services.Configure<SlowRequestOptions>(builder.Configuration.GetSection(SlowRequestOptions.Section));
builder.Services.AddHostedService<SlowRequestLogger>();
await builder.Build().RunAsync().ConfigureAwait(false);
