// Granary's build: ./build.sh --target=<Task> [--configuration=Release] [--path=FILE ...]
//   Setup    installs what the machine lacks (Debian packages), restores .NET packages
//   Build    compiles the solution
//   Publish  produces the granary executable in artifacts/bin (self-contained, ReadyToRun)
//   Module   the PowerShell module in artifacts/module/Granary (Test builds it too)
//   Run      the main job: a single silo with its data in ./.granary
//   Hash     granary hash over --path (default: the repository's tracked files)
//   Test     (after Module and Publish) runs every test project, then the Pester suites inside pwsh,
//            and prints the totals of both as "N passed, N failed[, N skipped]"
//   Test-PowerShell  only the Pester suites (tests/pester), against the packaged module and the published granary
//   Bench-Hash  granary hash vs b3sum on 1 GiB (bench/hash.sh), results to bench/RESULTS.md by hand
//   Bench-Resume  a resumed get re-verifying 1 GiB of PATH.partial, against b3sum (bench/resume.sh)
//   Bench-Quic, Bench-Blobs, Bench-Cluster  bench/quic.sh, bench/blobs.sh, bench/cluster.sh (install their anchors first)
//   Bench-Memory  the silo's peak RSS under 16 concurrent 1 GiB transfers; fails over 256 MiB (bench/memory.sh)
//   Bench-Transfer  a 1 GiB pull channel between two silos vs granary get, 100 small channels at once (bench/transfer.sh)
//   Bench-Gossip  the gossip simulator's scenario table: delivery, RMR, LDH per n and latency model (bench/gossip.sh)
//   Test-Docker  docker/: the image, compose.yaml's 3 silos on PostgreSQL, a silo killed (its own dockerd; docker/test-docker.sh)
//   Fuzz     the parser fuzzing suite (tests/Granary.Fuzz.Tests) with 10^6 inputs per parser and a random seed (printed on
//            failure; GRANARY_FUZZ_SEED replays it), 10^5 malformed requests at a live silo; Test runs a seeded 10^4 slice
using System.Xml.Linq;

var target = Argument("target", "Test");
var configuration = Argument("configuration", "Release");
var paths = Arguments<string>("path", new string[0]);

var root = MakeAbsolute(Directory("."));
var artifacts = root.Combine("artifacts");
var resultsDir = artifacts.Combine("test-results");
var publishDir = artifacts.Combine("bin");

// Debian packages the build, the tests and the benchmarks need.
var debianPackages = new[] { "b3sum", "git", "time",
    // The native QUIC library builds offline against these crates (native/.cargo/config.toml).
    "librust-quinn-dev", "librust-tokio-dev", "librust-rustls-dev", "librust-once-cell-dev", "librust-bytes-dev",
    // Its allocator (native/src/alloc.rs): jemalloc, built from the crate's bundled sources with make.
    "librust-jemalloc-sys-dev", "make",
    // Clusters keep membership and grain state in PostgreSQL; the tests start their own server from its binaries.
    "postgresql",
    // Multi-host tests: silos and the database in network namespaces (ip), partitions (nft DROP), slow links (tc tbf).
    "iproute2", "nftables" };

int Run(string file, string arguments, bool quiet = false)
{
    return StartProcess(file, new ProcessSettings
    {
        Arguments = arguments,
        WorkingDirectory = root,
        RedirectStandardOutput = quiet,
        RedirectStandardError = quiet,
    });
}

IEnumerable<string> Capture(string file, string arguments)
{
    IEnumerable<string> output;
    int exit = StartProcess(file, new ProcessSettings { Arguments = arguments, WorkingDirectory = root, RedirectStandardOutput = true }, out output);
    if (exit != 0)
    {
        throw new Exception($"'{file} {arguments}' failed with exit code {exit}.");
    }
    return output;
}

bool CommandExists(string command) => Run("sh", $"-c \"command -v {command}\"", quiet: true) == 0;

bool DebianPackageInstalled(string package)
{
    IEnumerable<string> output;
    int exit = StartProcess("dpkg-query", new ProcessSettings { Arguments = $"-W -f=${{Status}} {package}", RedirectStandardOutput = true, RedirectStandardError = true }, out output);
    return exit == 0 && string.Join("", output).Contains("install ok installed");
}

// Installs those of `packages` that dpkg does not list as installed, with one apt-get update and
// one install, through sudo unless already root. Quick when nothing is missing, so every task
// can call it for what it needs. `why` ("the build", "the QUIC benchmark's anchors") goes into
// the messages, so a failure says what needed the packages and which ones to install by hand.
void InstallDebianPackages(string why, params string[] packages)
{
    if (!CommandExists("dpkg-query") || !CommandExists("apt-get"))
    {
        throw new Exception($"{why} needs the Debian packages {string.Join(" ", packages)}, and this is not a Debian-like system (no dpkg-query or apt-get): install their equivalents, then run again.");
    }

    var missing = packages.Where(p => !DebianPackageInstalled(p)).ToArray();
    if (missing.Length == 0)
    {
        return;
    }

    string list = string.Join(" ", missing);
    Information($"Installing Debian packages for {why}: {list}");
    bool isRoot = Capture("id", "-u").FirstOrDefault() == "0";
    if (!isRoot && !CommandExists("sudo"))
    {
        throw new Exception($"{why} needs the Debian packages {list}, which are missing, and this user is neither root nor has sudo: install them (apt-get install {list}), then run again.");
    }

    // sudo resets the environment, so DEBIAN_FRONTEND goes through env, after sudo.
    string sudo = isRoot ? "" : "sudo ";
    if (Run("sh", $"-c \"{sudo}apt-get update -qq && {sudo}env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends {list}\"") != 0)
    {
        throw new Exception($"apt-get could not install {list} for {why}: see its errors above, install them by hand, then run again.");
    }
}

Task("Setup")
    .Description("Installs missing Debian packages and restores .NET packages; quick when already done.")
    .Does(() =>
{
    InstallDebianPackages("the build, the tests and the benchmarks", debianPackages);
    DotNetRestore(root.CombineWithFilePath("Cluster.sln").FullPath);
});

string Cargo()
{
    // The machine's toolchain (~/.cargo/bin) is preferred; Debian's cargo package is the fallback.
    var home = EnvironmentVariable("HOME") ?? "/root";
    var own = System.IO.Path.Combine(home, ".cargo", "bin", "cargo");
    if (System.IO.File.Exists(own)) return own;
    if (CommandExists("cargo")) return "cargo";
    InstallDebianPackages("building native/ (no cargo in ~/.cargo/bin or on PATH)", "cargo");
    return "cargo";
}

Task("Native")
    .IsDependentOn("Setup")
    .Description("The native QUIC library (native/, Rust over quinn), built offline in release mode.")
    .Does(() =>
{
    if (StartProcess(Cargo(), new ProcessSettings { Arguments = "build --release --offline", WorkingDirectory = root.Combine("native") }) != 0)
    {
        throw new Exception("cargo could not build native/: see the errors above.");
    }
});

Task("Build")
    .IsDependentOn("Native")
    .Does(() =>
{
    DotNetBuild(root.CombineWithFilePath("Cluster.sln").FullPath, new DotNetBuildSettings
    {
        Configuration = configuration,
        NoRestore = true,
    });
});

Task("Publish")
    .IsDependentOn("Native")
    .Description("granary in artifacts/bin: the NativeAOT launcher (runs hash itself), and the full granary it hands every other command to in artifacts/bin/host.")
    .Does(() =>
{
    // Both are named granary: clean first so that no file of an earlier layout (the full
    // granary once lived at the top) is left beside the launcher.
    CleanDirectory(publishDir);
    DotNetPublish(root.CombineWithFilePath("silo/Granary.Cli/Granary.Cli.csproj").FullPath, new DotNetPublishSettings
    {
        Configuration = "Release",
        OutputDirectory = publishDir.Combine("host"),
    });
    // -p:GranaryInstructionSet=x86-64-v3 (for example) makes a launcher for other machines than this one.
    DotNetPublish(root.CombineWithFilePath("silo/Granary.Cli.Launcher/Granary.Cli.Launcher.csproj").FullPath, new DotNetPublishSettings
    {
        Configuration = "Release",
        OutputDirectory = publishDir,
        MSBuildSettings = new DotNetMSBuildSettings().WithProperty("GranaryInstructionSet", Argument("instruction-set", "native")),
    });
});

Task("Module")
    // Only the module's own projects: Run makes it too, without building the whole solution.
    .IsDependentOn("Native")
    .Description("The PowerShell module, ready for Import-Module, in artifacts/module/Granary.")
    .Does(() =>
{
    var moduleDir = artifacts.Combine("module/Granary");
    CleanDirectory(moduleDir);
    DotNetPublish(root.CombineWithFilePath("module/Granary.PowerShell/Granary.PowerShell.csproj").FullPath, new DotNetPublishSettings
    {
        Configuration = configuration,
        OutputDirectory = moduleDir,
        NoBuild = false,
    });
    foreach (var leftover in GetFiles(moduleDir.FullPath + "/*.pdb"))
    {
        DeleteFile(leftover);
    }
    Information($"Module: {moduleDir}/Granary.psd1 (Import-Module {moduleDir}/Granary.psd1)");
});

Task("Run")
    .IsDependentOn("Publish")
    // The README's PowerShell section imports the module next to the running silo.
    .IsDependentOn("Module")
    .Description("The main job: a single silo with its data in ./.granary, until Ctrl-C.")
    .Does(() =>
{
    var granary = publishDir.CombineWithFilePath("granary").FullPath;
    Information("");
    Information("Starting a silo on 127.0.0.1:4433 with its data in ./.granary (Ctrl-C stops it).");
    Information("From another terminal in this directory (the ticket and token are read from .granary/):");
    Information($"  {granary} send SOMEFILE              # prints <hash> <blob-ticket>");
    Information($"  {granary} get <blob-ticket> -o COPY  # downloads, verifying every block");
    Information($"  b3sum SOMEFILE COPY                     # the same hash twice");
    Information("");
    int exit = Run(granary, "silo run --data .granary --listen 127.0.0.1:4433");
    if (exit != 0 && exit != 130)
    {
        throw new Exception($"The silo exited with {exit}: see its log above.");
    }
});

Task("Hash")
    .IsDependentOn("Publish")
    .Description("granary hash over --path, or over the repository's tracked files.")
    .Does(() =>
{
    var files = paths.Any() ? paths : Capture("git", "ls-files").ToList();
    var arguments = string.Join(" ", files.Select(f => "\"" + f.Replace("\"", "\\\"") + "\""));
    int exit = Run(publishDir.CombineWithFilePath("granary").FullPath, "hash " + arguments);
    if (exit != 0)
    {
        throw new Exception($"granary hash exited with {exit}: see the errors above.");
    }
});

// The Pester suites (tests/pester/*.Tests.ps1) in a fresh pwsh 7.6.9 (the local dotnet tool):
// Pester 6.2.0 is restored, pinned, into artifacts/pester; counts come back as "PASSED FAILED SKIPPED".
(int Passed, int Failed, int Skipped) RunPester()
{
    var pesterPackages = artifacts.Combine("pester");
    if (Run("dotnet", $"restore tests/pester/Pester.Package.csproj --packages \"{pesterPackages}\"") != 0)
    {
        throw new Exception("Pester 6.2.0 could not be restored (tests/pester/Pester.Package.csproj): see the errors above.");
    }

    var counts = resultsDir.CombineWithFilePath("pester-totals.txt");
    if (FileExists(counts)) DeleteFile(counts);
    var manifest = pesterPackages.CombineWithFilePath("pester/6.2.0/tools/Pester.psd1");
    Run("dotnet", $"pwsh -NoProfile -NonInteractive -File tests/pester/Invoke-GranaryPester.ps1 -Pester \"{manifest}\" -Results \"{resultsDir}\"");
    if (!FileExists(counts))
    {
        // pwsh itself failed (or the runner did): count it as one failure rather than none.
        return (0, 1, 0);
    }

    var parts = System.IO.File.ReadAllText(counts.FullPath).Split(' ', StringSplitOptions.RemoveEmptyEntries).Select(int.Parse).ToArray();
    return (parts[0], parts[1], parts[2]);
}

Task("Test-PowerShell")
    .IsDependentOn("Build")
    .IsDependentOn("Module")
    .IsDependentOn("Publish")
    .Description("Only the Pester suites, inside pwsh, against the packaged module and the published granary.")
    .Does(() =>
{
    EnsureDirectoryExists(resultsDir);
    var (passed, failed, skipped) = RunPester();
    Information($"{passed} passed, {failed} failed" + (skipped > 0 ? $", {skipped} skipped" : ""));
    if (failed > 0 || passed == 0)
    {
        throw new Exception("The Pester suites did not all pass: see above.");
    }
});

Task("Test")
    .IsDependentOn("Build")
    .IsDependentOn("Module")
    // Tests run the published (trimmed, self-contained) granary too: it is what users get.
    .IsDependentOn("Publish")
    .Description("Runs every test project; prints and saves the totals line CI reads.")
    .Does(() =>
{
    CleanDirectory(resultsDir);
    var projects = GetFiles(root.FullPath + "/tests/*.Tests/*.Tests.csproj").OrderBy(p => p.FullPath).ToList();
    // Silos in tests run as the published host (what users run; ReadyToRun saves ~0.7 s of CPU per start).
    var host = artifacts.CombineWithFilePath("bin/host/granary").FullPath;
    Dictionary<string, string> Env(params (string Name, string Value)[] more) =>
        more.Append(("GRANARY_TEST_HOST", host)).ToDictionary(e => e.Item1, e => e.Item2);
    var runs = projects.Select(p => (Project: p, Name: p.GetFilenameWithoutExtension().ToString(), Environment: Env())).ToList();
    // The hashing kernels again as on a CPU without AVX-512 (the runtime's switch): the AVX2 and
    // SSE4.1 kernels then keep one state vector in memory, a path this machine would not run otherwise.
    var hashing = projects.SingleOrDefault(p => p.GetFilenameWithoutExtension().ToString() == "Granary.Hashing.Tests")
        ?? throw new InvalidOperationException("tests/Granary.Hashing.Tests was not found among the test projects; it runs a second time with AVX-512 off, so restore it or change build.cake's Test task.");
    runs.Add((hashing, "Granary.Hashing.Tests-without-AVX-512", Env(("DOTNET_EnableAVX512", "0"))));
    int passed = 0, failed = 0, skipped = 0;
    var broken = new List<string>();
    var failedTests = new List<string>();
    foreach (var (project, name, environment) in runs)
    {
        var settings = new DotNetTestSettings
        {
            EnvironmentVariables = environment,
            Configuration = configuration,
            NoBuild = true,
            NoRestore = true,
            ResultsDirectory = resultsDir,
            Loggers = new[] { $"trx;LogFileName={name}.trx", "console;verbosity=normal" },
            // A hung test fails with its name and a dump instead of silently using up CI's time.
            ArgumentCustomization = args => args.Append("--blame-hang-timeout 5m"),
        };
        try
        {
            DotNetTest(project.FullPath, settings);
        }
        catch (Exception ex)
        {
            broken.Add($"{name}: {ex.Message}");
        }

        var trx = resultsDir.CombineWithFilePath($"{name}.trx");
        if (!FileExists(trx))
        {
            broken.Add($"{name}: no test results were written (the test host crashed?)");
            continue;
        }

        XNamespace ns = "http://microsoft.com/schemas/VisualStudio/TeamTest/2010";
        var counters = XDocument.Load(trx.FullPath).Descendants(ns + "Counters").Single();
        int Count(string attribute) => int.Parse(counters.Attribute(attribute)?.Value ?? "0");
        passed += Count("passed");
        failed += Count("failed") + Count("error") + Count("timeout") + Count("aborted");
        // vstest's trx counts an xunit skip as neither executed nor notExecuted: what was not executed was skipped.
        skipped += Math.Max(Count("notExecuted"), Count("total") - Count("executed"));
        // CI keeps only the log's tail: name each failed test there, with its message's first line.
        foreach (var result in XDocument.Load(trx.FullPath).Descendants(ns + "UnitTestResult")
                     .Where(r => (string)r.Attribute("outcome") is "Failed" or "Error" or "Timeout" or "Aborted"))
        {
            string message = result.Descendants(ns + "Message").FirstOrDefault()?.Value ?? "";
            string firstLine = message.Split('\n', 2)[0].Trim();
            if (firstLine.Length > 300) firstLine = firstLine[..300] + "…";
            failedTests.Add($"{name}: {(string)result.Attribute("testName")} — {firstLine}");
        }
    }

    var pester = RunPester();
    passed += pester.Passed;
    failed += pester.Failed;
    skipped += pester.Skipped;
    if (pester.Failed > 0) broken.Add("Pester: see tests/pester and artifacts/test-results/Pester.xml.");

    foreach (var line in failedTests) Warning("FAILED " + line);
    string totals = $"{passed} passed, {failed} failed" + (skipped > 0 ? $", {skipped} skipped" : "");
    System.IO.File.WriteAllText(resultsDir.CombineWithFilePath("totals.txt").FullPath, totals + "\n");
    Information(totals);
    if (failed > 0 || broken.Count > 0 || passed == 0)
    {
        throw new Exception($"Tests did not all pass ({totals}). {string.Join(" ", broken)}");
    }
});

// Issue 16: every parser of network or user input, 10^6 inputs each (tests/Granary.Fuzz.Tests reads GRANARY_FUZZ_ITERATIONS;
// without it, as in Test, it runs a seeded 10^4 slice). Throughput per parser goes to artifacts/test-results/fuzz-throughput.txt.
Task("Fuzz")
    .IsDependentOn("Build")
    .Description("The parser fuzzing suite at 10^6 inputs per parser, a random seed, and 10^5 malformed requests at a live silo.")
    .Does(() =>
{
    EnsureDirectoryExists(resultsDir);
    var throughput = resultsDir.CombineWithFilePath("fuzz-throughput.txt");
    if (FileExists(throughput)) DeleteFile(throughput);
    DotNetTest(root.CombineWithFilePath("tests/Granary.Fuzz.Tests/Granary.Fuzz.Tests.csproj").FullPath, new DotNetTestSettings
    {
        Configuration = configuration,
        NoBuild = true,
        NoRestore = true,
        ResultsDirectory = resultsDir,
        Loggers = new[] { "trx;LogFileName=Granary.Fuzz.Tests.long.trx", "console;verbosity=normal" },
        EnvironmentVariables = new Dictionary<string, string>
        {
            // GRANARY_FUZZ_ITERATIONS=N runs another count; GRANARY_FUZZ_SEED=HEX replays a run (the process environment passes through).
            ["GRANARY_FUZZ_ITERATIONS"] = EnvironmentVariable("GRANARY_FUZZ_ITERATIONS") ?? "1000000",
            ["GRANARY_FUZZ_STATS"] = throughput.FullPath,
        },
        // A hung parse fails its own test with the input (the runner's watchdog); this is for a hung test host.
        ArgumentCustomization = args => args.Append("--blame-hang-timeout 60m"),
    });
    if (FileExists(throughput))
    {
        Information(System.IO.File.ReadAllText(throughput.FullPath));
    }
});

Task("Bench-Hash")
    .IsDependentOn("Publish")
    .Description("granary hash vs b3sum on a 1 GiB file in page cache, and the AVX2 path against b3sum's crate without AVX-512 (bench/hash.sh).")
    .Does(() =>
{
    // The AVX2 row's anchor builds offline from Debian's crates (bench/anchors/.cargo/config.toml).
    InstallDebianPackages("the hash benchmark's AVX2 anchor", "librust-blake3-dev", "librust-memmap2-dev", "librust-rayon-dev");
    if (Run("bash", "bench/hash.sh") != 0)
    {
        throw new Exception("bench/hash.sh failed.");
    }
});

Task("Bench-Resume")
    .IsDependentOn("Publish")
    .Description("What a resumed get costs: re-verifying a 1 GiB PATH.partial against b3sum (bench/resume.sh).")
    .Does(() =>
{
    if (Run("bash", "bench/resume.sh") != 0)
    {
        throw new Exception("bench/resume.sh failed.");
    }
});

Task("Bench-Quic")
    .IsDependentOn("Build")
    .Description("1 GiB over Granary's QUIC vs nginx+curl and ngtcp2's example, one run (bench/quic.sh).")
    .Does(() =>
{
    InstallDebianPackages("the QUIC benchmark's anchors", "nginx-light", "curl", "ngtcp2-server", "ngtcp2-client", "openssl");
    DotNetBuild(root.CombineWithFilePath("bench/Granary.Bench/Granary.Bench.csproj").FullPath, new DotNetBuildSettings { Configuration = "Release", OutputDirectory = artifacts.Combine("bench") });
    if (Run("bash", "bench/quic.sh") != 0)
    {
        throw new Exception("bench/quic.sh failed.");
    }
});

Task("Bench-Blobs")
    .IsDependentOn("Publish")
    .Description("One silo: 1 GiB send/get vs nginx+curl, 10 000 x 4 KiB blobs, peak RSS (bench/blobs.sh; BASELINE=/path/to/older/granary adds its rows).")
    .Does(() =>
{
    InstallDebianPackages("the blobs benchmark's anchors", "nginx-light", "curl");
    if (Run("bash", "bench/blobs.sh") != 0)
    {
        throw new Exception("bench/blobs.sh failed.");
    }
});

Task("Bench-Memory")
    .IsDependentOn("Publish")
    .Description("The silo's peak RSS under 8 verified 1 GiB downloads + 8 uploads at once, per fresh silo; fails over issue 17's 256 MiB bound (bench/memory.sh; RUNS=N).")
    .Does(() =>
{
    InstallDebianPackages("the memory benchmark", "curl");
    if (Run("bash", "bench/memory.sh") != 0)
    {
        throw new Exception("bench/memory.sh failed or a silo went over the 256 MiB bound (its table says which run).");
    }
});

Task("Bench-Gossip")
    .Description("The gossip simulator's scenarios (n = 20/100/1000, two latency models, a 30 % crash): delivery, RMR, LDH (bench/gossip.sh).")
    .Does(() =>
{
    if (Run("bash", "bench/gossip.sh") != 0)
    {
        throw new Exception("bench/gossip.sh failed.");
    }
});

Task("Bench-Transfer")
    .IsDependentOn("Publish")
    .Description("Transfer channels between two silos: a 1 GiB pull vs granary get, then 100 concurrent 64 KiB channels (bench/transfer.sh).")
    .Does(() =>
{
    if (Run("bash", "bench/transfer.sh") != 0)
    {
        throw new Exception("bench/transfer.sh failed.");
    }
});

Task("Bench-Cluster")
    .IsDependentOn("Publish")
    .Description("1, 3 and 5 silos on PostgreSQL vs nginx+curl; dead-silo detection and repair of ~1 GiB (bench/cluster.sh); a 3-silo upload's CPU per silo and replica copies vs 1 silo (bench/cluster-upload.sh).")
    .Does(() =>
{
    InstallDebianPackages("the cluster benchmark's anchors", "nginx-light", "curl");
    foreach (var script in new[] { "bench/cluster.sh", "bench/cluster-upload.sh" })
    {
        if (Run("bash", script) != 0)
        {
            throw new Exception($"{script} failed.");
        }
    }
});

Task("Test-Docker")
    // Not part of Test: it starts its own dockerd and builds images (docker/README.md).
    .IsDependentOn("Publish")
    .Description("docker/: the image (from artifacts/bin), compose.yaml's 3 silos on PostgreSQL, a silo killed, nothing lost (docker/test-docker.sh).")
    .Does(() =>
{
    InstallDebianPackages("the Docker test", "docker.io", "docker-compose", "debootstrap");
    if (Run("bash", "docker/test-docker.sh") != 0)
    {
        throw new Exception("docker/test-docker.sh failed: see above and artifacts/docker/logs.");
    }
});

RunTarget(target);
