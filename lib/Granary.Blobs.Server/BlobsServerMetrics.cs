using System.Diagnostics;
using System.Diagnostics.Metrics;
using Granary.Blobs.Protocol;

namespace Granary.Blobs.Server;

/// <summary>
/// The blobs protocol's instruments (meter <see cref="MeterName"/>) and its traces (activity source
/// <see cref="ActivitySourceName"/>): one duration per request by operation and status, and
/// verification failures. Operation names come from the parsed request, never from the client's
/// raw text, so a client cannot grow the number of series.
/// </summary>
public static class BlobsServerMetrics
{
    /// <summary>The meter's and the activity source's name, <c>Granary.Blobs</c>.</summary>
    public const string MeterName = "Granary.Blobs";

    /// <summary>The activity source's name (one span per request), <c>Granary.Blobs</c>.</summary>
    public const string ActivitySourceName = MeterName;

    /// <summary>Spans for requests (<c>blobs put</c>, <c>blobs get</c>, …), parents of the cluster calls they make.</summary>
    public static readonly ActivitySource Activities = new(ActivitySourceName);

    private static readonly Meter Meter = new(MeterName);

    private static readonly Histogram<double> Duration = Meter.CreateHistogram<double>(
        "granary.blobs.request.duration", "s", "Time to serve one granary/blobs/1 request, by operation and status.",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300] });

    private static readonly Counter<long> VerificationFailures = Meter.CreateCounter<long>(
        "granary.blobs.verification.failures", "{failure}", "Data that did not match its BLAKE3 hash tree, by where it was found (upload, push); the scrubber counts its own (granary.scrub.damaged).");

    /// <summary>Records one request of <paramref name="operation"/> (<c>unknown</c> if it did not parse) that ended with <paramref name="status"/>.</summary>
    public static void Served(string operation, BlobStatus status, TimeSpan elapsed)
    {
        if (Duration.Enabled)
        {
            Duration.Record(elapsed.TotalSeconds, new TagList { { "granary.operation", operation }, { "granary.status", (int)status } });
        }
    }

    /// <summary>Counts data that failed verification; <paramref name="source"/> is <c>upload</c> or <c>push</c>.</summary>
    public static void VerificationFailed(string source) =>
        VerificationFailures.Add(1, new KeyValuePair<string, object?>("granary.source", source));
}
