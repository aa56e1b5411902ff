using System.Diagnostics;
using System.Globalization;
using System.Text;
using Granary.Gossip.Sim;

namespace Granary.Bench;

/// <summary>
/// The gossip simulator's scenario table (issue 15), iroh-gossip's scenarios:
///   gossip-sim [SEED]
/// n = 20, 100, 1000 nodes; static 50 ms and uniform 10–100 ms latency; each swarm joins (one node
/// every 10 ms through up to 3 earlier nodes), runs 70 s (past its first shuffle), sends 10
/// broadcasts, then 30 % of the nodes crash at once, the overlay repairs for 10 s and 10 more are
/// sent. Per row: delivery %, RMR and LDH (mean and max over the broadcasts, the first one of a
/// fresh tree excluded from the RMR mean and shown apart), time to the last delivery (mean, max),
/// and the wall time the row took to simulate.
/// </summary>
internal static class GossipBench
{
    public static int Run(string[] args)
    {
        int seed = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1;
        Console.WriteLine($"# gossip simulator, seed {seed}: 10 broadcasts per phase from spread senders, 5 s window each");
        Console.WriteLine($"{"n",5}  {"latency",-18} {"phase",-12} {"delivered",9}  {"RMR 1st",7}  {"RMR mean",8}  {"RMR max",7}  {"LDH mean",8}  {"LDH max",7}  {"last ms mean",12}  {"last ms max",11}  {"wall s",6}");
        foreach (int nodes in new[] { 20, 100, 1000 })
        {
            foreach (LatencyModel latency in new LatencyModel[] { new LatencyModel.Fixed(TimeSpan.FromMilliseconds(50)), new LatencyModel.Uniform(TimeSpan.FromMilliseconds(10), TimeSpan.FromMilliseconds(100)) })
            {
                var clock = Stopwatch.StartNew();
                var sim = new Simulator(new SimulatorOptions { Nodes = nodes, Latency = latency, Seed = seed });
                sim.JoinAll(TimeSpan.FromMilliseconds(10));
                sim.RunFor(TimeSpan.FromSeconds(70) + (TimeSpan.FromMilliseconds(10) * nodes));
                List<BroadcastReport> healthy = Broadcasts(sim, "healthy");
                sim.Crash(sim.PickRandom(0.3, spare: -1));
                sim.RunFor(TimeSpan.FromSeconds(10));
                List<BroadcastReport> crashed = Broadcasts(sim, "30% crashed");
                double wall = clock.Elapsed.TotalSeconds;
                Row(nodes, latency, "healthy", healthy, wall);
                Row(nodes, latency, "30% crashed", crashed, wall);
            }
        }

        return 0;
    }

    private static List<BroadcastReport> Broadcasts(Simulator sim, string phase)
    {
        List<int> alive = [.. sim.Alive];
        return [.. Enumerable.Range(0, 10).Select(i =>
            sim.Broadcast(alive[(i * 7919) % alive.Count], Encoding.UTF8.GetBytes($"{phase} #{i}"), TimeSpan.FromSeconds(5)))];
    }

    private static void Row(int nodes, LatencyModel latency, string phase, List<BroadcastReport> reports, double wall)
    {
        double delivered = 100.0 * reports.Sum(r => r.Delivered) / Math.Max(1, reports.Sum(r => r.Expected));
        IEnumerable<BroadcastReport> settled = reports.Skip(1);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{nodes,5}  {latency,-18} {phase,-12} {delivered,8:0.0}%  {reports[0].RelativeMessageRedundancy,7:0.00}  {settled.Average(r => r.RelativeMessageRedundancy),8:0.00}  {settled.Max(r => r.RelativeMessageRedundancy),7:0.00}  {reports.Average(r => r.LastDeliveryHop),8:0.0}  {reports.Max(r => r.LastDeliveryHop),7}  {reports.Average(r => r.TimeToLastDelivery.TotalMilliseconds),12:0}  {reports.Max(r => r.TimeToLastDelivery.TotalMilliseconds),11:0}  {wall,6:0.0}"));
    }
}
