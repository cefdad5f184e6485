using Samples.EndpointSummary.Web;

// Traces the host and serves a live per-endpoint summary (requests/s, error rate, p50/p99 latency
// over the last 10 s) as JSON on a loopback URL. Run as root, then: curl http://127.0.0.1:5088/summary
var builder = WebApplication.CreateBuilder(args);
builder.WebHost.UseUrls(builder.Configuration["Url"] ?? "http://127.0.0.1:5088");
builder.Services.AddProtocolTracing();
builder.Services.AddSingleton<EndpointStatistics>();
builder.Services.AddHostedService<EndpointStatisticsCollector>();

var app = builder.Build();
app.MapGet("/summary", (EndpointStatistics statistics) => statistics.Snapshot(DateTimeOffset.UtcNow));
await app.RunAsync().ConfigureAwait(false);
